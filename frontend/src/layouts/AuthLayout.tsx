import { Card, Flex, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { Link, Outlet } from "react-router";
import { LanguageSwitch } from "../components/LanguageSwitch";

export function AuthLayout() {
  const { t } = useTranslation();
  return (
    <Flex vertical align="center" style={{ minHeight: "100vh", padding: "48px 16px" }} gap={24}>
      <Flex justify="space-between" align="center" style={{ width: "100%", maxWidth: 480 }}>
        <Link to="/">
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t("app.name")}
          </Typography.Title>
        </Link>
        <LanguageSwitch />
      </Flex>
      <Card style={{ width: "100%", maxWidth: 480 }}>
        <Outlet />
      </Card>
    </Flex>
  );
}
