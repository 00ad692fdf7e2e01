import { Button, Dropdown, Layout, Menu, Space, Typography } from "antd";
import type { ItemType } from "antd/es/menu/interface";
import { useTranslation } from "react-i18next";
import { Link, Outlet, useLocation, useNavigate } from "react-router";
import type { Permission } from "../api/types";
import { LanguageSwitch } from "../components/LanguageSwitch";
import { RequireAuth, useAuth } from "../features/auth/AuthContext";
import { NotificationBell } from "../features/notifications/NotificationBell";
import { LiveOrders } from "../features/orders/live";

const { Header, Sider, Content } = Layout;

interface MenuPage {
  path: string;
  label: string;
  permission?: Permission;
}

interface MenuGroup {
  /** Key of the submenu; `""` puts the pages at the top level. */
  key: string;
  /** Translation key of the submenu's title. */
  label?: string;
  pages: MenuPage[];
}

/**
 * Console pages by group, and the permission each needs; the menu shows what the caller may
 * open, and a group only when one of its pages is shown. A new page is one line in its group.
 */
export const MENU: MenuGroup[] = [
  { key: "", pages: [{ path: "/", label: "menu.dashboard" }] },
  {
    key: "orders",
    label: "menuGroups.orders",
    pages: [
      { path: "/orders", label: "orders.title", permission: "orders.read" },
      { path: "/after-sales", label: "afterSales.title", permission: "orders.read" },
      { path: "/refunds", label: "refunds.title", permission: "orders.read" },
    ],
  },
  {
    key: "catalog",
    label: "menuGroups.catalog",
    pages: [
      { path: "/products", label: "menu.products", permission: "catalog.read" },
      { path: "/products/import", label: "menu.import", permission: "catalog.write" },
      { path: "/stock-alerts", label: "menu.stockAlerts", permission: "catalog.read" },
      { path: "/products/review", label: "review.title", permission: "catalog.review" },
      { path: "/categories", label: "categories.title", permission: "catalog.read" },
    ],
  },
  {
    key: "store",
    label: "menuGroups.store",
    pages: [
      { path: "/store", label: "store.title", permission: "merchant.read" },
      { path: "/logistics", label: "logistics.title", permission: "merchant.read" },
    ],
  },
  {
    key: "distribution",
    label: "menuGroups.distribution",
    pages: [
      { path: "/distributors", label: "distributors.title", permission: "distributors.read" },
      {
        path: "/distribution/settings",
        label: "distribution.settingsTitle",
        permission: "distributors.read",
      },
      { path: "/distribution/tiers", label: "tiers.title", permission: "distributors.read" },
      { path: "/recruitment", label: "recruitment.title", permission: "distributors.read" },
      {
        path: "/distributor-applications",
        label: "applications.title",
        permission: "distributors.read",
      },
      { path: "/leaderboards", label: "menu.leaderboards", permission: "distributors.read" },
      { path: "/contests", label: "menu.contests", permission: "distributors.read" },
    ],
  },
  {
    key: "system",
    label: "menuGroups.system",
    pages: [
      { path: "/staff", label: "menu.staff", permission: "staff.read" },
      { path: "/api-keys", label: "menu.apiKeys", permission: "api_keys.manage" },
      { path: "/audit", label: "menu.audit", permission: "audit.read" },
      { path: "/security", label: "menu.security" },
    ],
  },
];

/** The menu entry of a location: the page with the longest path that the location is in. */
export function selectedPage(pathname: string): string {
  let best = "/";
  for (const group of MENU) {
    for (const { path } of group.pages) {
      const inside = pathname === path || pathname.startsWith(`${path}/`);
      if (inside && path.length > best.length) best = path;
    }
  }
  return best;
}

function Console() {
  const { t } = useTranslation();
  const location = useLocation();
  const navigate = useNavigate();
  const { me, can, signOut } = useAuth();
  const link = (p: MenuPage): ItemType => ({
    key: p.path,
    label: <Link to={p.path}>{t(p.label)}</Link>,
  });
  const items: ItemType[] = MENU.flatMap((group): ItemType[] => {
    const pages = group.pages.filter((p) => !p.permission || can(p.permission));
    if (pages.length === 0) return [];
    if (!group.label) return pages.map(link);
    return [{ key: `group:${group.key}`, label: t(group.label), children: pages.map(link) }];
  });
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
        <Menu
          mode="inline"
          selectedKeys={[selectedPage(location.pathname)]}
          defaultOpenKeys={MENU.map((g) => `group:${g.key}`)}
          items={items}
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
            {me?.kind === "staff" && can("merchant.read") && <NotificationBell />}
            {can("orders.read") && <LiveOrders />}
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
