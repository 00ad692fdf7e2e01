import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Form, Input, List, Space, Switch, Tag, Typography } from "antd";
import { QRCodeSVG } from "qrcode.react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { isProblem } from "../../api/problem";
import type { MfaEnrolment, SessionView } from "../../api/types";
import { useProblemForm } from "../../api/useProblemForm";
import { ProblemAlert } from "../../components/ProblemAlert";
import { useAuth } from "../auth/AuthContext";
import { authKeys } from "../auth/api";
import { useMerchant } from "../store/api";
import {
  confirmMfa,
  disableMfa,
  endSession,
  enrolMfa,
  securityKeys,
  setStaffMfaPolicy,
  useSessions,
} from "./api";

function MfaCard() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const queryClient = useQueryClient();
  const [enrolment, setEnrolment] = useState<MfaEnrolment | null>(null);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const [form] = Form.useForm<{ code: string }>();
  const problem = useProblemForm(form, ["code"], t("common.failed"));
  const refreshMe = () => queryClient.invalidateQueries({ queryKey: authKeys.me });

  const enrol = useMutation({
    mutationFn: enrolMfa,
    onMutate: problem.clear,
    onError: problem.show,
    onSuccess: setEnrolment,
  });
  const confirm = useMutation({
    mutationFn: confirmMfa,
    onMutate: problem.clear,
    onError: problem.show,
    onSuccess: async (codes) => {
      setEnrolment(null);
      form.resetFields();
      setRecoveryCodes(codes.recovery_codes);
      await refreshMe();
    },
  });
  const disable = useMutation({
    mutationFn: disableMfa,
    onMutate: problem.clear,
    onError: problem.show,
    onSuccess: async () => {
      form.resetFields();
      setRecoveryCodes(null);
      await refreshMe();
    },
  });

  const codeForm = (onCode: (code: string) => void, label: string, loading: boolean) => (
    <Form form={form} layout="inline" onFinish={(v) => onCode(v.code.trim())}>
      <Form.Item name="code" rules={[{ required: true, message: t("common.required") }]}>
        <Input placeholder={t("mfa.code")} autoComplete="one-time-code" inputMode="numeric" />
      </Form.Item>
      <Button htmlType="submit" type="primary" loading={loading}>
        {label}
      </Button>
    </Form>
  );

  return (
    <Card title={t("mfa.title")} data-testid="mfa-card">
      <ProblemAlert problem={problem.problem} />
      {recoveryCodes && (
        <Alert
          type="warning"
          showIcon
          message={t("mfa.recoveryTitle")}
          description={
            <pre data-testid="recovery-codes" style={{ margin: 0 }}>
              {recoveryCodes.join("\n")}
            </pre>
          }
          style={{ marginBottom: 16 }}
        />
      )}
      {me?.mfa_enabled ? (
        <Space direction="vertical">
          <Tag color="green" data-testid="mfa-on">
            {t("mfa.on")}
          </Tag>
          <Typography.Text type="secondary">{t("mfa.disableHelp")}</Typography.Text>
          {codeForm((code) => disable.mutate(code), t("mfa.disable"), disable.isPending)}
        </Space>
      ) : enrolment ? (
        <Space direction="vertical" size="middle">
          <Typography.Text>{t("mfa.scan")}</Typography.Text>
          <QRCodeSVG value={enrolment.otpauth_url} size={176} />
          <Typography.Text>
            {t("mfa.secret")}{" "}
            <Typography.Text code copyable data-testid="mfa-secret">
              {enrolment.secret}
            </Typography.Text>
          </Typography.Text>
          {codeForm((code) => confirm.mutate(code), t("mfa.confirm"), confirm.isPending)}
        </Space>
      ) : (
        <Space direction="vertical">
          {me?.mfa_enrolment_required && (
            <Alert type="warning" showIcon message={t("mfa.required")} />
          )}
          <Typography.Text type="secondary">{t("mfa.offHelp")}</Typography.Text>
          <Button type="primary" onClick={() => enrol.mutate()} loading={enrol.isPending}>
            {t("mfa.start")}
          </Button>
        </Space>
      )}
    </Card>
  );
}

function SessionsCard() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const sessions = useSessions();
  const revoke = useMutation({
    mutationFn: endSession,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: securityKeys.sessions }),
  });
  return (
    <Card title={t("sessions.title")}>
      <List<SessionView>
        loading={sessions.isPending}
        dataSource={sessions.data ?? []}
        renderItem={(s) => (
          <List.Item
            actions={
              s.current
                ? [
                    <Tag key="current" color="blue">
                      {t("sessions.current")}
                    </Tag>,
                  ]
                : [
                    <Button key="end" size="small" onClick={() => revoke.mutate(s.id)}>
                      {t("sessions.end")}
                    </Button>,
                  ]
            }
          >
            <List.Item.Meta
              title={s.user_agent ?? t("sessions.unknownDevice")}
              description={`${s.ip ?? "—"} · ${t("sessions.since")} ${new Date(s.created_at).toLocaleString()}`}
            />
          </List.Item>
        )}
      />
    </Card>
  );
}

function PolicyCard() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const merchant = useMerchant();
  const setPolicy = useMutation({
    mutationFn: setStaffMfaPolicy,
    onError: (error: unknown) =>
      message.error(isProblem(error) ? error.detail : t("common.failed")),
    onSuccess: () => queryClient.invalidateQueries(),
  });
  return (
    <Card title={t("policy.title")}>
      <Space>
        <Switch
          checked={merchant.data?.require_staff_mfa ?? false}
          loading={merchant.isPending || setPolicy.isPending}
          onChange={(checked) => setPolicy.mutate(checked)}
        />
        <Typography.Text>{t("policy.requireMfa")}</Typography.Text>
      </Space>
    </Card>
  );
}

export function SecurityPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  return (
    <Space direction="vertical" size="large" style={{ width: "100%" }}>
      <Typography.Title level={2}>{t("security.title")}</Typography.Title>
      <MfaCard />
      <SessionsCard />
      {me?.role === "owner" && <PolicyCard />}
    </Space>
  );
}
