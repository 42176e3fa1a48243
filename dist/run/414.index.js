export const id = 414;
export const ids = [414];
export const modules = {

/***/ 2414:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   TestSuite: () => (/* reexport safe */ _chunk_EHVVWQKE_js__WEBPACK_IMPORTED_MODULE_0__.ya)
/* harmony export */ });
/* harmony import */ var _chunk_EHVVWQKE_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(13814);
(0,_chunk_EHVVWQKE_js__WEBPACK_IMPORTED_MODULE_0__.za)();

/***/ })

};
