import type { Markup } from "../functions/domain/offer";

/** `2%` or `2.5%` → basis points; `5.00` → a fixed amount in the offer currency. */
export const parseMarkup = (text: string): Markup => {
  const percent = /^(\d{1,3})(?:\.(\d{1,2}))?%$/.exec(text.trim());
  if (percent) {
    const basisPoints = Number(percent[1]) * 100 + Number((percent[2] ?? "").padEnd(2, "0") || "0");
    if (basisPoints > 10_000) throw new RangeError(`a markup above 100% is refused: ${text}`);
    return { type: "percent", basis_points: basisPoints };
  }
  if (/^\d{1,9}(\.\d{1,4})?$/.test(text.trim())) return { type: "fixed", amount: text.trim() };
  throw new RangeError(`not a markup (write 2% or 5.00): ${text}`);
};
