import { useMutation } from "@tanstack/react-query";
import { Button, Form, Input, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useNavigate } from "react-router";
import type { SignInRequest, TokenPair } from "../../api/types";
import { useProblemForm } from "../../api/useProblemForm";
import { ProblemAlert } from "../../components/ProblemAlert";
import { useAuth } from "./AuthContext";
import { signIn as requestSignIn, verifyMfa } from "./api";

/** Sign-in: email and password, then a TOTP or recovery code when the account has MFA. */
export function LoginPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const { signedIn } = useAuth();
  const [form] = Form.useForm<SignInRequest>();
  const [codeForm] = Form.useForm<{ code: string }>();
  const [mfaToken, setMfaToken] = useState<string | null>(null);
  const passwordProblem = useProblemForm(form, ["email", "password"], t("login.failed"));
  const codeProblem = useProblemForm(codeForm, ["code"], t("login.failed"));
  const from = (location.state as { from?: string } | null)?.from ?? "/";

  const finish = async (pair: TokenPair) => {
    await signedIn(pair);
    navigate(from, { replace: true });
  };

  const signIn = useMutation({
    mutationFn: requestSignIn,
    onMutate: passwordProblem.clear,
    onError: passwordProblem.show,
    onSuccess: async (result) => {
      if (result.status === "mfa_required" && result.mfa_token) setMfaToken(result.mfa_token);
      else if (result.tokens) await finish(result.tokens);
    },
  });

  const verify = useMutation({
    mutationFn: (code: string) => verifyMfa(mfaToken ?? "", code),
    onMutate: codeProblem.clear,
    onError: codeProblem.show,
    onSuccess: finish,
  });

  if (mfaToken) {
    return (
      <>
        <Typography.Title level={3}>{t("mfa.stepTitle")}</Typography.Title>
        <Typography.Paragraph type="secondary">{t("mfa.stepHelp")}</Typography.Paragraph>
        <ProblemAlert problem={codeProblem.problem} testId="mfa-error" />
        <Form form={codeForm} layout="vertical" onFinish={(v) => verify.mutate(v.code.trim())}>
          <Form.Item
            label={t("mfa.code")}
            name="code"
            rules={[{ required: true, message: t("common.required") }]}
          >
            <Input autoComplete="one-time-code" inputMode="numeric" autoFocus />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={verify.isPending}>
            {t("mfa.verify")}
          </Button>
        </Form>
        <Button type="link" onClick={() => setMfaToken(null)} style={{ paddingInline: 0 }}>
          {t("mfa.back")}
        </Button>
      </>
    );
  }

  return (
    <>
      <Typography.Title level={3}>{t("login.title")}</Typography.Title>
      <ProblemAlert problem={passwordProblem.problem} testId="login-error" />
      <Form form={form} layout="vertical" onFinish={(values) => signIn.mutate(values)}>
        <Form.Item
          label={t("login.email")}
          name="email"
          rules={[{ required: true, message: t("common.required") }]}
        >
          <Input type="email" autoComplete="username" />
        </Form.Item>
        <Form.Item
          label={t("login.password")}
          name="password"
          rules={[{ required: true, message: t("common.required") }]}
        >
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={signIn.isPending}>
          {t("login.submit")}
        </Button>
      </Form>
      <Typography.Paragraph style={{ marginTop: 16 }}>
        <Link to="/forgot-password">{t("login.forgot")}</Link>
        {" · "}
        {t("login.noAccount")} <Link to="/signup">{t("header.signUp")}</Link>
      </Typography.Paragraph>
    </>
  );
}
