import { Alert, Button, Form, Input, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

/** The sign-in form; staff sign-in is served once staff accounts exist. */
export function LoginPage() {
  const { t } = useTranslation();
  return (
    <>
      <Typography.Title level={3}>{t("login.title")}</Typography.Title>
      <Alert type="info" showIcon message={t("login.unavailable")} style={{ marginBottom: 16 }} />
      <Form layout="vertical" disabled>
        <Form.Item label={t("login.email")} name="email">
          <Input type="email" autoComplete="username" />
        </Form.Item>
        <Form.Item label={t("login.password")} name="password">
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block>
          {t("login.submit")}
        </Button>
      </Form>
      <Typography.Paragraph style={{ marginTop: 16 }}>
        {t("login.noAccount")} <Link to="/signup">{t("header.signUp")}</Link>
      </Typography.Paragraph>
    </>
  );
}
