import { useMutation, useQueryClient } from "@tanstack/react-query";
import { App, Button, Form, Input, Modal, Select, Space, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { isProblem } from "../../api/problem";
import type { InviteRequest, StaffMember, StaffRole } from "../../api/types";
import { useProblemForm } from "../../api/useProblemForm";
import { ProblemAlert } from "../../components/ProblemAlert";
import { useAuth } from "../auth/AuthContext";
import { inviteStaff, staffKeys, unlockStaff, updateStaff, useStaff } from "./api";

const ASSIGNABLE: StaffRole[] = ["admin", "operator", "finance", "support", "viewer"];

export function StaffPage() {
  const { t } = useTranslation();
  const { me, can } = useAuth();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [inviting, setInviting] = useState(false);
  const [form] = Form.useForm<InviteRequest>();
  const problem = useProblemForm(form, ["email", "name", "role"], t("common.failed"));
  const manage = can("staff.manage");

  const staff = useStaff();
  const refresh = () => queryClient.invalidateQueries({ queryKey: staffKeys.all });

  const invite = useMutation({
    mutationFn: inviteStaff,
    onMutate: problem.clear,
    onError: problem.show,
    onSuccess: async () => {
      setInviting(false);
      form.resetFields();
      message.success(t("staff.invited"));
      await refresh();
    },
  });

  const update = useMutation({
    mutationFn: updateStaff,
    onError: (error: unknown) =>
      message.error(isProblem(error) ? error.detail : t("common.failed")),
    onSuccess: refresh,
  });

  const unlock = useMutation({
    mutationFn: unlockStaff,
    onSuccess: refresh,
  });

  return (
    <>
      <Space style={{ width: "100%", justifyContent: "space-between" }}>
        <Typography.Title level={2}>{t("staff.title")}</Typography.Title>
        {manage && (
          <Button type="primary" onClick={() => setInviting(true)} data-testid="invite-staff">
            {t("staff.invite")}
          </Button>
        )}
      </Space>
      <Table<StaffMember>
        rowKey="id"
        loading={staff.isPending}
        dataSource={staff.data ?? []}
        pagination={false}
        columns={[
          { title: t("staff.name"), dataIndex: "name" },
          { title: t("staff.email"), dataIndex: "email" },
          {
            title: t("staff.role"),
            dataIndex: "role",
            render: (role: StaffRole, member) =>
              manage && role !== "owner" && member.id !== me?.id ? (
                <Select<StaffRole>
                  value={role}
                  style={{ width: 140 }}
                  options={ASSIGNABLE.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
                  onChange={(value) => update.mutate({ id: member.id, body: { role: value } })}
                />
              ) : (
                t(`roles.${role}`)
              ),
          },
          {
            title: t("staff.status"),
            dataIndex: "status",
            render: (status: string, member) => (
              <Space>
                <Tag color={status === "active" ? "green" : status === "disabled" ? "red" : "blue"}>
                  {t(`staff.statuses.${status}`)}
                </Tag>
                {member.locked && <Tag color="orange">{t("staff.locked")}</Tag>}
                {member.mfa_enabled && <Tag>MFA</Tag>}
              </Space>
            ),
          },
          ...(manage
            ? [
                {
                  title: t("common.actions"),
                  key: "actions",
                  render: (_: unknown, member: StaffMember) =>
                    member.role === "owner" || member.id === me?.id ? null : (
                      <Space>
                        {member.locked && (
                          <Button size="small" onClick={() => unlock.mutate(member.id)}>
                            {t("staff.unlock")}
                          </Button>
                        )}
                        {member.status === "active" && (
                          <Button
                            size="small"
                            danger
                            onClick={() =>
                              update.mutate({ id: member.id, body: { status: "disabled" } })
                            }
                          >
                            {t("staff.disable")}
                          </Button>
                        )}
                        {member.status === "disabled" && (
                          <Button
                            size="small"
                            onClick={() =>
                              update.mutate({ id: member.id, body: { status: "active" } })
                            }
                          >
                            {t("staff.enable")}
                          </Button>
                        )}
                      </Space>
                    ),
                },
              ]
            : []),
        ]}
      />
      <Modal
        open={inviting}
        title={t("staff.invite")}
        okText={t("staff.sendInvitation")}
        confirmLoading={invite.isPending}
        onOk={() => form.submit()}
        onCancel={() => setInviting(false)}
        destroyOnHidden
      >
        <ProblemAlert problem={problem.problem} />
        <Form
          form={form}
          layout="vertical"
          initialValues={{ role: "operator" }}
          onFinish={(values) => invite.mutate(values)}
        >
          <Form.Item
            label={t("staff.email")}
            name="email"
            rules={[{ required: true, message: t("common.required") }]}
          >
            <Input type="email" />
          </Form.Item>
          <Form.Item
            label={t("staff.name")}
            name="name"
            rules={[{ required: true, message: t("common.required") }]}
          >
            <Input />
          </Form.Item>
          <Form.Item label={t("staff.role")} name="role">
            <Select<StaffRole>
              options={ASSIGNABLE.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
            />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
