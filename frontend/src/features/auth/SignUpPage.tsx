import { useMutation } from "@tanstack/react-query";
import { Alert, Button, Form, Input, Result, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { formFieldErrors, isProblem } from "../../api/problem";
import type { Problem, SignupRequest } from "../../api/types";
import { signUpMerchant } from "./api";

const FIELDS = ["company_name", "contact_name", "phone", "email", "password"] as const;

export function SignUpPage() {
  const { t } = useTranslation();
  const [form] = Form.useForm<SignupRequest>();
  const [problem, setProblem] = useState<{ title: string; details: string[] } | null>(null);

  const signUp = useMutation({
    mutationFn: signUpMerchant,
    onMutate: () => setProblem(null),
    onError: (error: unknown) => {
      if (!isProblem(error)) {
        setProblem({ title: t("signup.failed"), details: [] });
        return;
      }
      const p: Problem = error;
      const { fields, other } = formFieldErrors(p, FIELDS);
      form.setFields(
        fields.map((f) => ({ name: f.name as keyof SignupRequest, errors: f.errors })),
      );
      if (fields.length === 0 || other.length > 0) {
        setProblem({ title: p.detail || p.title, details: other });
      }
    },
  });

  if (signUp.data) {
    return (
      <Result
        status="success"
        title={t("signup.successTitle")}
        subTitle={t("signup.successBody", { email: signUp.data.email })}
        data-testid="signup-success"
        extra={
          <Link to="/login">
            <Button type="primary">{t("verify.toLogin")}</Button>
          </Link>
        }
      />
    );
  }

  const required = { required: true, message: t("signup.required") };
  return (
    <>
      <Typography.Title level={3}>{t("signup.title")}</Typography.Title>
      {problem && (
        <Alert
          type="error"
          showIcon
          role="alert"
          data-testid="signup-error"
          message={problem.title}
          description={problem.details.length > 0 ? problem.details.join("\n") : undefined}
          style={{ marginBottom: 16 }}
        />
      )}
      <Form form={form} layout="vertical" onFinish={(values) => signUp.mutate(values)}>
        <Form.Item label={t("signup.companyName")} name="company_name" rules={[required]}>
          <Input autoComplete="organization" />
        </Form.Item>
        <Form.Item label={t("signup.contactName")} name="contact_name" rules={[required]}>
          <Input autoComplete="name" />
        </Form.Item>
        <Form.Item label={t("signup.phone")} name="phone" rules={[required]}>
          <Input autoComplete="tel" inputMode="tel" />
        </Form.Item>
        <Form.Item
          label={t("signup.email")}
          name="email"
          rules={[required, { type: "email", message: t("signup.invalidEmail") }]}
        >
          <Input autoComplete="email" inputMode="email" />
        </Form.Item>
        <Form.Item
          label={t("signup.password")}
          name="password"
          rules={[required]}
          extra={t("signup.passwordHelp")}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={signUp.isPending}>
          {t("signup.submit")}
        </Button>
      </Form>
      <Typography.Paragraph style={{ marginTop: 16 }}>
        {t("signup.haveAccount")} <Link to="/login">{t("header.signIn")}</Link>
      </Typography.Paragraph>
    </>
  );
}
