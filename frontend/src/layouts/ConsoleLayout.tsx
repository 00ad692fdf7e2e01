import { Button, Layout, Menu, Space, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { Link, Outlet, useLocation } from "react-router";
import { LanguageSwitch } from "./LanguageSwitch";

const { Header, Sider, Content } = Layout;

export function ConsoleLayout() {
  const { t } = useTranslation();
  const location = useLocation();
  return (
    <Layout style={{ minHeight: "100vh" }}>
      <Sider breakpoint="lg" collapsedWidth={0} theme="light">
        <div style={{ padding: 16 }}>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t("app.name")}
          </Typography.Title>
          <Typography.Text type="secondary">{t("app.tagline")}</Typography.Text>
        </div>
        <Menu
          mode="inline"
          selectedKeys={[location.pathname]}
          items={[
            { key: "/", label: <Link to="/">{t("menu.dashboard")}</Link> },
            {
              key: "api-docs",
              label: (
                <a href="/api/docs/" target="_blank" rel="noreferrer">
                  {t("menu.apiDocs")}
                </a>
              ),
            },
          ]}
        />
      </Sider>
      <Layout>
        <Header
          style={{
            background: "#fff",
            display: "flex",
            justifyContent: "flex-end",
            alignItems: "center",
            paddingInline: 24,
          }}
        >
          <Space>
            <LanguageSwitch />
            <Link to="/signup">
              <Button>{t("header.signUp")}</Button>
            </Link>
            <Link to="/login">
              <Button type="primary">{t("header.signIn")}</Button>
            </Link>
          </Space>
        </Header>
        <Content style={{ margin: 24 }}>
          <Outlet />
        </Content>
      </Layout>
    </Layout>
  );
}
