export const id = 654;
export const ids = [654];
export const modules = {

/***/ 8654:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   TestSuite: () => (/* reexport safe */ _chunk_EHVVWQKE_js__WEBPACK_IMPORTED_MODULE_0__.ya)
/* harmony export */ });
/* harmony import */ var _chunk_EHVVWQKE_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8327);
(0,_chunk_EHVVWQKE_js__WEBPACK_IMPORTED_MODULE_0__.za)();

/***/ })

};
