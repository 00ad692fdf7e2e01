import type { PaymentKind, PaymentMethod, PaymentMethodRequest } from "../../api/types";

/** A setting of a payment method, as the API validates it. */
export interface PaymentField {
  name: string;
  /** Write-only: the API answers it masked, and an empty input keeps the stored value. */
  secret: boolean;
  required: boolean;
  multiline?: boolean;
}

export const PAYMENT_KINDS: PaymentKind[] = ["bank_transfer", "alipay", "wechat_pay", "sandbox"];

export const PAYMENT_FIELDS: Record<PaymentKind, PaymentField[]> = {
  bank_transfer: [
    { name: "account_name", secret: false, required: true },
    { name: "bank_name", secret: false, required: true },
    { name: "branch", secret: false, required: false },
    { name: "account_number", secret: true, required: true },
  ],
  alipay: [
    { name: "app_id", secret: false, required: true },
    { name: "seller_id", secret: false, required: false },
    { name: "alipay_public_key", secret: false, required: true, multiline: true },
    { name: "private_key", secret: true, required: true, multiline: true },
  ],
  wechat_pay: [
    { name: "mch_id", secret: false, required: true },
    { name: "app_id", secret: false, required: true },
    { name: "serial_no", secret: false, required: true },
    { name: "api_v3_key", secret: true, required: true },
    { name: "private_key", secret: true, required: true, multiline: true },
    { name: "platform_serial", secret: false, required: true },
    { name: "platform_public_key", secret: false, required: true, multiline: true },
  ],
  sandbox: [],
};

export interface PaymentForm {
  enabled: boolean;
  settings: Record<string, string>;
}

/** The form of a method: its plain settings filled in, its secrets empty (never echoed). */
export function toPaymentForm(method: PaymentMethod): PaymentForm {
  const settings: Record<string, string> = {};
  for (const field of PAYMENT_FIELDS[method.kind]) {
    settings[field.name] = field.secret ? "" : (method.settings[field.name] ?? "");
  }
  return { enabled: method.enabled, settings };
}

/**
 * What to send: every plain setting (empty clears it), and a secret only when one was typed —
 * a secret left out keeps its stored value.
 */
export function toPaymentRequest(kind: PaymentKind, form: PaymentForm): PaymentMethodRequest {
  const settings: Record<string, string> = {};
  for (const field of PAYMENT_FIELDS[kind]) {
    const value = (form.settings?.[field.name] ?? "").trim();
    if (field.secret && value === "") continue;
    settings[field.name] = value;
  }
  return { kind, enabled: form.enabled, settings };
}
