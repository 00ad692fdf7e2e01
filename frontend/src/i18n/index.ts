import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import enUS from "./en-US";
import zhCN from "./zh-CN";

export const LANGUAGES = ["zh-CN", "en-US"] as const;
export type Language = (typeof LANGUAGES)[number];

const STORAGE_KEY = "fenxiao.language";

function storedLanguage(): Language {
  try {
    const value = window.localStorage.getItem(STORAGE_KEY);
    return LANGUAGES.find((l) => l === value) ?? "zh-CN";
  } catch {
    return "zh-CN";
  }
}

void i18n.use(initReactI18next).init({
  resources: {
    "zh-CN": { translation: zhCN },
    "en-US": { translation: enUS },
  },
  lng: storedLanguage(),
  fallbackLng: "zh-CN",
  interpolation: { escapeValue: false },
});

export function currentLanguage(): Language {
  return i18n.language === "en-US" ? "en-US" : "zh-CN";
}

export function setLanguage(language: Language): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Private windows may refuse storage; the choice then lasts for this page only.
  }
  void i18n.changeLanguage(language);
  document.documentElement.lang = language;
}

/** The `Accept-Language` value the API understands for the current language. */
export function apiLanguage(): string {
  return currentLanguage() === "en-US" ? "en" : "zh-CN";
}

export default i18n;
