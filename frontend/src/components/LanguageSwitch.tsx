import { Segmented } from "antd";
import { useTranslation } from "react-i18next";
import { currentLanguage, type Language, setLanguage } from "../i18n";

const LABELS: Record<Language, string> = { "zh-CN": "中文", "en-US": "English" };

export function LanguageSwitch() {
  const { t } = useTranslation();
  return (
    <Segmented<Language>
      aria-label={t("header.language")}
      data-testid="language-switch"
      value={currentLanguage()}
      options={(Object.keys(LABELS) as Language[]).map((value) => ({
        value,
        label: LABELS[value],
      }))}
      onChange={setLanguage}
    />
  );
}
