import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Button, Checkbox, Form, Input, Modal, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { withCodeFields } from "../../api/problem";
import type { BindingRecord, Customer } from "../../api/types";
import { useProblemForm } from "../../api/useProblemForm";
import { DistributorPicker } from "../../components/DistributorPicker";
import { ProblemAlert } from "../../components/ProblemAlert";
import { networkKeys, reassignMember, useCustomers, useMemberBindings } from "./api";

function when(value: string | null | undefined): string {
  return value ? new Date(value).toLocaleString() : "—";
}

/** The members bound to a distributor now, with each one's binding history. */
export function CustomersPanel({
  distributorId,
  manage,
}: {
  distributorId: number;
  manage: boolean;
}) {
  const { t } = useTranslation();
  const [member, setMember] = useState<Customer | null>(null);
  const customers = useCustomers(distributorId);
  const rows = customers.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <Table<Customer>
        rowKey="binding_id"
        loading={customers.isPending}
        dataSource={rows}
        pagination={false}
        data-testid="customers-table"
        locale={{ emptyText: t("customers.empty") }}
        columns={[
          { title: t("customers.name"), dataIndex: "name", render: (v) => v ?? "—" },
          { title: t("customers.phone"), dataIndex: "phone", render: (v) => v ?? "—" },
          { title: t("customers.email"), dataIndex: "email", render: (v) => v ?? "—" },
          {
            title: t("customers.source"),
            dataIndex: "source",
            render: (v: Customer["source"]) => t(`customers.sources.${v}`),
          },
          { title: t("customers.since"), dataIndex: "starts_at", render: when },
          {
            title: t("customers.until"),
            dataIndex: "ends_at",
            render: (v: string | null) => (v ? when(v) : t("customers.permanent")),
          },
          {
            title: t("common.actions"),
            key: "actions",
            render: (_: unknown, c) => (
              <Button size="small" onClick={() => setMember(c)}>
                {t("customers.history")}
              </Button>
            ),
          },
        ]}
      />
      {customers.hasNextPage && (
        <Button
          onClick={() => customers.fetchNextPage()}
          loading={customers.isFetchingNextPage}
          style={{ marginTop: 16 }}
        >
          {t("common.loadMore")}
        </Button>
      )}
      {member && (
        <BindingHistoryDialog customer={member} manage={manage} onClose={() => setMember(null)} />
      )}
    </>
  );
}

/** Re-binding problems that concern the chosen distributor. */
const REASSIGN_CODES = { distributor_not_active: "distributor_id", self_binding: "distributor_id" };

interface ReassignForm {
  distributor_id: number | null;
  release: boolean;
  reason: string;
}

/** A member's bindings, newest first; staff may bind them to someone else or release them. */
function BindingHistoryDialog({
  customer,
  manage,
  onClose,
}: {
  customer: Customer;
  manage: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<ReassignForm>();
  const problem = useProblemForm(form, ["distributor_id", "reason"], t("common.failed"));
  const release = Form.useWatch("release", form) === true;
  const history = useMemberBindings(customer.member_id);
  const reassign = useMutation({
    mutationFn: (values: ReassignForm) =>
      reassignMember(customer.member_id, {
        distributor_id: values.release ? null : values.distributor_id,
        reason: values.reason.trim(),
      }),
    onMutate: problem.clear,
    onError: (error: unknown) => problem.show(withCodeFields(error, REASSIGN_CODES)),
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: networkKeys.memberBindings(customer.member_id) }),
        queryClient.invalidateQueries({ queryKey: networkKeys.customers }),
      ]);
      onClose();
    },
  });
  const rows = history.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Modal
      open
      width={860}
      title={t("customers.historyTitle", {
        name: customer.name ?? customer.phone ?? customer.email ?? `#${customer.member_id}`,
      })}
      okText={t("customers.reassign")}
      okButtonProps={{ hidden: !manage }}
      confirmLoading={reassign.isPending}
      onOk={() => form.submit()}
      onCancel={onClose}
    >
      <Table<BindingRecord>
        rowKey="id"
        size="small"
        loading={history.isPending}
        dataSource={rows}
        pagination={false}
        columns={[
          {
            title: t("customers.distributor"),
            dataIndex: "distributor_code",
            render: (code: string, b) => (
              <>
                {code} {b.in_force && <Tag color="green">{t("customers.inForce")}</Tag>}
              </>
            ),
          },
          {
            title: t("customers.source"),
            dataIndex: "source",
            render: (v: BindingRecord["source"]) => t(`customers.sources.${v}`),
          },
          { title: t("customers.since"), dataIndex: "starts_at", render: when },
          {
            title: t("customers.until"),
            dataIndex: "ends_at",
            render: (v: string | null) => (v ? when(v) : t("customers.permanent")),
          },
          {
            title: t("customers.ended"),
            key: "ended",
            render: (_: unknown, b) =>
              b.ended_at ? (
                <>
                  {when(b.ended_at)} · {t(`customers.endReasons.${b.end_reason ?? "superseded"}`)}
                  {b.end_note && (
                    <Typography.Text type="secondary"> — {b.end_note}</Typography.Text>
                  )}
                </>
              ) : (
                "—"
              ),
          },
        ]}
      />
      {history.hasNextPage && (
        <Button size="small" onClick={() => history.fetchNextPage()} style={{ marginTop: 8 }}>
          {t("common.loadMore")}
        </Button>
      )}
      {manage && (
        <>
          <Typography.Title level={5} style={{ marginTop: 24 }}>
            {t("customers.reassignTitle")}
          </Typography.Title>
          <ProblemAlert problem={problem.problem} testId="reassign-error" />
          <Form<ReassignForm>
            form={form}
            name="binding-reassign"
            layout="vertical"
            initialValues={{ distributor_id: null, release: false, reason: "" }}
            onFinish={(v) => reassign.mutate(v)}
          >
            <Form.Item
              label={t("customers.newDistributor")}
              name="distributor_id"
              hidden={release}
              rules={release ? [] : [{ required: true, message: t("common.required") }]}
            >
              <DistributorPicker status="active" aria-label={t("customers.newDistributor")} />
            </Form.Item>
            <Form.Item name="release" valuePropName="checked">
              <Checkbox>{t("customers.release")}</Checkbox>
            </Form.Item>
            <Form.Item
              label={t("distributors.reason")}
              name="reason"
              rules={[{ required: true, whitespace: true, message: t("common.required") }]}
            >
              <Input.TextArea rows={2} maxLength={500} />
            </Form.Item>
          </Form>
        </>
      )}
    </Modal>
  );
}
