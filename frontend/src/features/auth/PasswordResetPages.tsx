import { useMutation } from "@tanstack/react-query";
import { Button, Form, Input, Result, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { useProblemForm } from "../../api/useProblemForm";
import { ProblemAlert } from "../../components/ProblemAlert";
import { askPasswordReset, setPasswordWithToken } from "./api";

export function ForgotPasswordPage() {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ email: string }>();
  const problem = useProblemForm(form, ["email"], t("reset.failed"));
  const ask = useMutation({
    mutationFn: askPasswordReset,
    onMutate: problem.clear,
    onError: problem.show,
  });
  if (ask.isSuccess) {
    return <Result status="success" title={t("reset.sentTitle")} subTitle={t("reset.sentBody")} />;
  }
  return (
    <>
      <Typography.Title level={3}>{t("reset.askTitle")}</Typography.Title>
      <ProblemAlert problem={problem.problem} />
      <Form form={form} layout="vertical" onFinish={(v) => ask.mutate(v.email)}>
        <Form.Item
          label={t("login.email")}
          name="email"
          rules={[{ required: true, message: t("common.required") }]}
        >
          <Input type="email" autoComplete="username" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={ask.isPending}>
          {t("reset.send")}
        </Button>
      </Form>
    </>
  );
}

/** Choosing a new password with a token from an email: password reset or staff invitation. */
function NewPasswordPage({ mode }: { mode: "reset" | "invitation" }) {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const [form] = Form.useForm<{ password: string }>();
  const problem = useProblemForm(form, ["password"], t("reset.failed"));
  const save = useMutation({
    mutationFn: (password: string) => setPasswordWithToken(mode, token, password),
    onMutate: problem.clear,
    onError: problem.show,
  });
  if (!token) {
    return <Result status="warning" title={t("verify.missingToken")} />;
  }
  if (save.isSuccess) {
    return (
      <Result
        status="success"
        title={mode === "reset" ? t("reset.doneTitle") : t("invitation.doneTitle")}
        extra={
          <Link to="/login">
            <Button type="primary">{t("verify.toLogin")}</Button>
          </Link>
        }
      />
    );
  }
  return (
    <>
      <Typography.Title level={3}>
        {mode === "reset" ? t("reset.newTitle") : t("invitation.title")}
      </Typography.Title>
      <ProblemAlert problem={problem.problem} />
      <Form form={form} layout="vertical" onFinish={(v) => save.mutate(v.password)}>
        <Form.Item
          label={t("signup.password")}
          name="password"
          rules={[{ required: true, message: t("common.required") }]}
          extra={t("signup.passwordHelp")}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={save.isPending}>
          {t("common.save")}
        </Button>
      </Form>
    </>
  );
}

export function ResetPasswordPage() {
  return <NewPasswordPage mode="reset" />;
}

export function AcceptInvitationPage() {
  return <NewPasswordPage mode="invitation" />;
}
