/** Scores as the report shows them: three decimals. */
export function fixed(value: number): string {
  return value.toFixed(3);
}

/** A difference with its sign, so "+0.020" and "-0.020" read at a glance. */
export function signed(value: number): string {
  if (Math.abs(value) < 5e-4) return "0.000";
  return value > 0 ? `+${value.toFixed(3)}` : value.toFixed(3);
}

export function interval(ci: readonly [number, number]): string {
  return `[${signed(ci[0])}, ${signed(ci[1])}]`;
}

/** A mean or delta as outputs and JSON carry it: six decimals, so float noise (0.7000000000000001) never shows. */
export function rounded(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
