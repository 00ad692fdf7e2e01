import type { RouteObject } from "react-router";
import { NotFoundPage } from "./components/NotFoundPage";
import { AuditLogPage } from "./features/audit/AuditPage";
import { LoginPage } from "./features/auth/LoginPage";
import {
  AcceptInvitationPage,
  ForgotPasswordPage,
  ResetPasswordPage,
} from "./features/auth/PasswordResetPages";
import { SignUpPage } from "./features/auth/SignUpPage";
import { VerifyEmailPage } from "./features/auth/VerifyEmailPage";
import { CategoriesPage } from "./features/catalog/CategoriesPage";
import { ImportPage } from "./features/catalog/ImportPage";
import { ProductEditorPage } from "./features/catalog/ProductEditorPage";
import { ProductsPage } from "./features/catalog/ProductsPage";
import { ReviewQueuePage } from "./features/catalog/ReviewQueuePage";
import { ContestDetailPage } from "./features/contests/ContestDetailPage";
import { ContestsPage } from "./features/contests/ContestsPage";
import { LeaderboardsPage } from "./features/contests/LeaderboardsPage";
import { DashboardPage } from "./features/dashboard/DashboardPage";
import { DistributionSettingsPage } from "./features/distribution/DistributionSettingsPage";
import { TiersPage } from "./features/distribution/TiersPage";
import { ApiKeysPage } from "./features/integrations/ApiKeysPage";
import { StockAlertsPage } from "./features/inventory/StockAlertsPage";
import { LogisticsPage } from "./features/logistics/LogisticsPage";
import { DistributorDetailPage } from "./features/network/DistributorDetailPage";
import { DistributorsPage } from "./features/network/DistributorsPage";
import { ApplicationsPage } from "./features/recruitment/ApplicationsPage";
import { RecruitmentPage } from "./features/recruitment/RecruitmentPage";
import { SecurityPage } from "./features/security/SecurityPage";
import { StaffPage } from "./features/staff/StaffPage";
import { StoreSettingsPage } from "./features/store/StoreSettingsPage";
import { AuthLayout } from "./layouts/AuthLayout";
import { ConsoleLayout } from "./layouts/ConsoleLayout";
import { JoinPage } from "./shop/join/JoinPage";

export const routes: RouteObject[] = [
  {
    path: "/",
    element: <ConsoleLayout />,
    children: [
      { index: true, element: <DashboardPage /> },
      { path: "products", element: <ProductsPage /> },
      { path: "products/new", element: <ProductEditorPage /> },
      { path: "products/:productId/edit", element: <ProductEditorPage /> },
      { path: "stock-alerts", element: <StockAlertsPage /> },
      { path: "products/import", element: <ImportPage /> },
      { path: "products/review", element: <ReviewQueuePage /> },
      { path: "categories", element: <CategoriesPage /> },
      { path: "store", element: <StoreSettingsPage /> },
      { path: "logistics", element: <LogisticsPage /> },
      { path: "leaderboards", element: <LeaderboardsPage /> },
      { path: "contests", element: <ContestsPage /> },
      { path: "contests/:contestId", element: <ContestDetailPage /> },
      { path: "distributors", element: <DistributorsPage /> },
      { path: "distributors/:distributorId", element: <DistributorDetailPage /> },
      { path: "distribution/settings", element: <DistributionSettingsPage /> },
      { path: "distribution/tiers", element: <TiersPage /> },
      { path: "recruitment", element: <RecruitmentPage /> },
      { path: "distributor-applications", element: <ApplicationsPage /> },
      { path: "staff", element: <StaffPage /> },
      { path: "api-keys", element: <ApiKeysPage /> },
      { path: "audit", element: <AuditLogPage /> },
      { path: "security", element: <SecurityPage /> },
    ],
  },
  {
    element: <AuthLayout />,
    children: [
      { path: "/login", element: <LoginPage /> },
      { path: "/signup", element: <SignUpPage /> },
      { path: "/verify-email", element: <VerifyEmailPage /> },
      { path: "/forgot-password", element: <ForgotPasswordPage /> },
      { path: "/reset-password", element: <ResetPasswordPage /> },
      { path: "/accept-invitation", element: <AcceptInvitationPage /> },
    ],
  },
  // Where recruit links and their QR codes lead: public, outside the console.
  { path: "/shop/:slug/join", element: <JoinPage /> },
  { path: "*", element: <NotFoundPage /> },
];
