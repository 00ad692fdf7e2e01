import { useMutation } from "@tanstack/react-query";
import { Button, Result, Spin } from "antd";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { isProblem } from "../../api/problem";
import { verifyEmail } from "./api";

export function VerifyEmailPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";

  const verify = useMutation({
    mutationFn: verifyEmail,
  });
  const { mutate } = verify;

  useEffect(() => {
    // A verification link is redeemed once, on arrival.
    if (token) mutate(token);
  }, [token, mutate]);

  const toLogin = (
    <Link to="/login">
      <Button type="primary">{t("verify.toLogin")}</Button>
    </Link>
  );

  if (!token) {
    return (
      <Result status="warning" title={t("verify.title")} subTitle={t("verify.missingToken")} />
    );
  }
  if (verify.isError) {
    const error = verify.error as unknown;
    return (
      <Result
        status="error"
        title={t("verify.failed")}
        subTitle={isProblem(error) ? error.detail : undefined}
        data-testid="verify-failed"
      />
    );
  }
  if (verify.data) {
    const pending = verify.data.status === "pending_approval";
    return (
      <Result
        status={pending ? "info" : "success"}
        title={t("verify.title")}
        subTitle={pending ? t("verify.pendingApproval") : t("verify.active")}
        data-testid="verify-done"
        extra={toLogin}
      />
    );
  }
  return <Spin tip={t("verify.working")} fullscreen />;
}
