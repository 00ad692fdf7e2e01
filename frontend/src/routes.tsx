import type { RouteObject } from "react-router";
import { AuthLayout } from "./layouts/AuthLayout";
import { ConsoleLayout } from "./layouts/ConsoleLayout";
import { DashboardPage } from "./pages/DashboardPage";
import { LoginPage } from "./pages/LoginPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { SignUpPage } from "./pages/SignUpPage";
import { VerifyEmailPage } from "./pages/VerifyEmailPage";

export const routes: RouteObject[] = [
  {
    path: "/",
    element: <ConsoleLayout />,
    children: [{ index: true, element: <DashboardPage /> }],
  },
  {
    element: <AuthLayout />,
    children: [
      { path: "/login", element: <LoginPage /> },
      { path: "/signup", element: <SignUpPage /> },
      { path: "/verify-email", element: <VerifyEmailPage /> },
    ],
  },
  { path: "*", element: <NotFoundPage /> },
];
