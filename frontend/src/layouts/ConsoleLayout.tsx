import { Button, Dropdown, Layout, Menu, Space, Typography } from "antd";
import type { ItemType } from "antd/es/menu/interface";
import { useTranslation } from "react-i18next";
import { Link, Outlet, useLocation, useNavigate } from "react-router";
import { type Permission, RequireAuth, useAuth } from "../auth/AuthContext";
import { LanguageSwitch } from "./LanguageSwitch";
import { NotificationBell } from "./NotificationBell";

const { Header, Sider, Content } = Layout;

/** Console pages and the permission each needs; the menu shows what the caller may open. */
const PAGES: { path: string; label: string; permission?: Permission }[] = [
  { path: "/", label: "menu.dashboard" },
  { path: "/products", label: "menu.products", permission: "catalog.read" },
  { path: "/products/import", label: "menu.import", permission: "catalog.write" },
  { path: "/stock-alerts", label: "menu.stockAlerts", permission: "catalog.read" },
  { path: "/products/review", label: "review.title", permission: "catalog.review" },
  { path: "/categories", label: "categories.title", permission: "catalog.read" },
  { path: "/store", label: "store.title", permission: "merchant.read" },
  { path: "/logistics", label: "logistics.title", permission: "merchant.read" },
  { path: "/recruitment", label: "recruitment.title", permission: "distributors.read" },
  {
    path: "/distributor-applications",
    label: "applications.title",
    permission: "distributors.read",
  },
  { path: "/staff", label: "menu.staff", permission: "staff.read" },
  { path: "/api-keys", label: "menu.apiKeys", permission: "api_keys.manage" },
  { path: "/audit", label: "menu.audit", permission: "audit.read" },
  { path: "/security", label: "menu.security" },
];

function Console() {
  const { t } = useTranslation();
  const location = useLocation();
  const navigate = useNavigate();
  const { me, can, signOut } = useAuth();
  const items: ItemType[] = PAGES.filter((p) => !p.permission || can(p.permission)).map((p) => ({
    key: p.path,
    label: <Link to={p.path}>{t(p.label)}</Link>,
  }));
  items.push({
    key: "api-docs",
    label: (
      <a href="/api/docs/" target="_blank" rel="noreferrer">
        {t("menu.apiDocs")}
      </a>
    ),
  });
  return (
    <Layout style={{ minHeight: "100vh" }}>
      <Sider breakpoint="lg" collapsedWidth={0} theme="light">
        <div style={{ padding: 16 }}>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t("app.name")}
          </Typography.Title>
          <Typography.Text type="secondary">{t("app.tagline")}</Typography.Text>
        </div>
        <Menu mode="inline" selectedKeys={[location.pathname]} items={items} />
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
            {me?.kind === "staff" && can("merchant.read") && <NotificationBell />}
            <LanguageSwitch />
            <Dropdown
              menu={{
                items: [
                  {
                    key: "security",
                    label: t("menu.security"),
                    onClick: () => navigate("/security"),
                  },
                  {
                    key: "sign-out",
                    label: t("header.signOut"),
                    onClick: async () => {
                      await signOut();
                      navigate("/login");
                    },
                  },
                ],
              }}
            >
              <Button data-testid="account-menu">{me?.label}</Button>
            </Dropdown>
          </Space>
        </Header>
        <Content style={{ margin: 24 }}>
          <Outlet />
        </Content>
      </Layout>
    </Layout>
  );
}

export function ConsoleLayout() {
  return (
    <RequireAuth>
      <Console />
    </RequireAuth>
  );
}
