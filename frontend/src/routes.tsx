import type { RouteObject } from "react-router";
import { lazyPage, page } from "./components/lazyPage";
import { AuthLayout } from "./layouts/AuthLayout";
import { ConsoleLayout } from "./layouts/ConsoleLayout";

// The console's routes. Every page is loaded when first visited: a chunk of its own, outside the
// entry. The shopper's pages (`/shop/…`) are another entry (shop.html, src/shop/), which the
// server answers for those paths.
const NotFoundPage = lazyPage(() => import("./components/NotFoundPage"), "NotFoundPage");
const AuditLogPage = lazyPage(() => import("./features/audit/AuditPage"), "AuditLogPage");
const LoginPage = lazyPage(() => import("./features/auth/LoginPage"), "LoginPage");
const AcceptInvitationPage = lazyPage(
  () => import("./features/auth/PasswordResetPages"),
  "AcceptInvitationPage",
);
const ForgotPasswordPage = lazyPage(
  () => import("./features/auth/PasswordResetPages"),
  "ForgotPasswordPage",
);
const ResetPasswordPage = lazyPage(
  () => import("./features/auth/PasswordResetPages"),
  "ResetPasswordPage",
);
const SignUpPage = lazyPage(() => import("./features/auth/SignUpPage"), "SignUpPage");
const VerifyEmailPage = lazyPage(
  () => import("./features/auth/VerifyEmailPage"),
  "VerifyEmailPage",
);
const CategoriesPage = lazyPage(
  () => import("./features/catalog/CategoriesPage"),
  "CategoriesPage",
);
const ImportPage = lazyPage(() => import("./features/catalog/ImportPage"), "ImportPage");
const ProductEditorPage = lazyPage(
  () => import("./features/catalog/ProductEditorPage"),
  "ProductEditorPage",
);
const ProductsPage = lazyPage(() => import("./features/catalog/ProductsPage"), "ProductsPage");
const ReviewQueuePage = lazyPage(
  () => import("./features/catalog/ReviewQueuePage"),
  "ReviewQueuePage",
);
const ContestDetailPage = lazyPage(
  () => import("./features/contests/ContestDetailPage"),
  "ContestDetailPage",
);
const ContestsPage = lazyPage(() => import("./features/contests/ContestsPage"), "ContestsPage");
const LeaderboardsPage = lazyPage(
  () => import("./features/contests/LeaderboardsPage"),
  "LeaderboardsPage",
);
const OrderDetailPage = lazyPage(
  () => import("./features/orders/OrderDetailPage"),
  "OrderDetailPage",
);
const OrdersPage = lazyPage(() => import("./features/orders/OrdersPage"), "OrdersPage");
const AfterSalesPage = lazyPage(
  () => import("./features/aftersales/AfterSalesPage"),
  "AfterSalesPage",
);
const RefundsPage = lazyPage(() => import("./features/aftersales/RefundsPage"), "RefundsPage");
const AfterSaleDetailPage = lazyPage(
  () => import("./features/aftersales/AfterSaleDetailPage"),
  "AfterSaleDetailPage",
);
const DashboardPage = lazyPage(() => import("./features/dashboard/DashboardPage"), "DashboardPage");
const DistributionSettingsPage = lazyPage(
  () => import("./features/distribution/DistributionSettingsPage"),
  "DistributionSettingsPage",
);
const TiersPage = lazyPage(() => import("./features/distribution/TiersPage"), "TiersPage");
const ApiKeysPage = lazyPage(() => import("./features/integrations/ApiKeysPage"), "ApiKeysPage");
const StockAlertsPage = lazyPage(
  () => import("./features/inventory/StockAlertsPage"),
  "StockAlertsPage",
);
const LogisticsPage = lazyPage(() => import("./features/logistics/LogisticsPage"), "LogisticsPage");
const DistributorDetailPage = lazyPage(
  () => import("./features/network/DistributorDetailPage"),
  "DistributorDetailPage",
);
const DistributorsPage = lazyPage(
  () => import("./features/network/DistributorsPage"),
  "DistributorsPage",
);
const ApplicationsPage = lazyPage(
  () => import("./features/recruitment/ApplicationsPage"),
  "ApplicationsPage",
);
const RecruitmentPage = lazyPage(
  () => import("./features/recruitment/RecruitmentPage"),
  "RecruitmentPage",
);
const SecurityPage = lazyPage(() => import("./features/security/SecurityPage"), "SecurityPage");
const StaffPage = lazyPage(() => import("./features/staff/StaffPage"), "StaffPage");
const StoreSettingsPage = lazyPage(
  () => import("./features/store/StoreSettingsPage"),
  "StoreSettingsPage",
);

export const routes: RouteObject[] = [
  {
    path: "/",
    element: <ConsoleLayout />,
    children: [
      { index: true, element: page(DashboardPage) },
      { path: "products", element: page(ProductsPage) },
      { path: "products/new", element: page(ProductEditorPage) },
      { path: "products/:productId/edit", element: page(ProductEditorPage) },
      { path: "stock-alerts", element: page(StockAlertsPage) },
      { path: "products/import", element: page(ImportPage) },
      { path: "products/review", element: page(ReviewQueuePage) },
      { path: "categories", element: page(CategoriesPage) },
      { path: "store", element: page(StoreSettingsPage) },
      { path: "logistics", element: page(LogisticsPage) },
      { path: "leaderboards", element: page(LeaderboardsPage) },
      { path: "orders", element: page(OrdersPage) },
      { path: "orders/:orderId", element: page(OrderDetailPage) },
      { path: "after-sales", element: page(AfterSalesPage) },
      { path: "after-sales/:afterSaleId", element: page(AfterSaleDetailPage) },
      { path: "refunds", element: page(RefundsPage) },
      { path: "contests", element: page(ContestsPage) },
      { path: "contests/:contestId", element: page(ContestDetailPage) },
      { path: "distributors", element: page(DistributorsPage) },
      { path: "distributors/:distributorId", element: page(DistributorDetailPage) },
      { path: "distribution/settings", element: page(DistributionSettingsPage) },
      { path: "distribution/tiers", element: page(TiersPage) },
      { path: "recruitment", element: page(RecruitmentPage) },
      { path: "distributor-applications", element: page(ApplicationsPage) },
      { path: "staff", element: page(StaffPage) },
      { path: "api-keys", element: page(ApiKeysPage) },
      { path: "audit", element: page(AuditLogPage) },
      { path: "security", element: page(SecurityPage) },
    ],
  },
  {
    element: <AuthLayout />,
    children: [
      { path: "/login", element: page(LoginPage) },
      { path: "/signup", element: page(SignUpPage) },
      { path: "/verify-email", element: page(VerifyEmailPage) },
      { path: "/forgot-password", element: page(ForgotPasswordPage) },
      { path: "/reset-password", element: page(ResetPasswordPage) },
      { path: "/accept-invitation", element: page(AcceptInvitationPage) },
    ],
  },
  { path: "*", element: page(NotFoundPage) },
];
