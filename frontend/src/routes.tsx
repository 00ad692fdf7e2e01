import type { RouteObject } from "react-router";
import { AuthLayout } from "./layouts/AuthLayout";
import { ConsoleLayout } from "./layouts/ConsoleLayout";
import { ApiKeysPage } from "./pages/ApiKeysPage";
import { ApplicationsPage } from "./pages/ApplicationsPage";
import { AuditLogPage } from "./pages/AuditPage";
import { CategoriesPage } from "./pages/CategoriesPage";
import { ContestDetailPage } from "./pages/ContestDetailPage";
import { ContestsPage } from "./pages/ContestsPage";
import { DashboardPage } from "./pages/DashboardPage";
import { DistributionSettingsPage } from "./pages/DistributionSettingsPage";
import { DistributorDetailPage } from "./pages/DistributorDetailPage";
import { DistributorsPage } from "./pages/DistributorsPage";
import { ImportPage } from "./pages/ImportPage";
import { JoinPage } from "./pages/JoinPage";
import { LeaderboardsPage } from "./pages/LeaderboardsPage";
import { LoginPage } from "./pages/LoginPage";
import { LogisticsPage } from "./pages/LogisticsPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import {
  AcceptInvitationPage,
  ForgotPasswordPage,
  ResetPasswordPage,
} from "./pages/PasswordResetPages";
import { ProductEditorPage } from "./pages/ProductEditorPage";
import { ProductsPage } from "./pages/ProductsPage";
import { RecruitmentPage } from "./pages/RecruitmentPage";
import { ReviewQueuePage } from "./pages/ReviewQueuePage";
import { SecurityPage } from "./pages/SecurityPage";
import { SignUpPage } from "./pages/SignUpPage";
import { StaffPage } from "./pages/StaffPage";
import { StockAlertsPage } from "./pages/StockAlertsPage";
import { StoreSettingsPage } from "./pages/StoreSettingsPage";
import { TiersPage } from "./pages/TiersPage";
import { VerifyEmailPage } from "./pages/VerifyEmailPage";

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
