import { useMutation, useQueryClient } from "@tanstack/react-query";
import {
  App,
  Button,
  Descriptions,
  Drawer,
  Form,
  Input,
  Modal,
  Segmented,
  Space,
  Table,
  Tag,
  Typography,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { isProblem } from "../../api/problem";
import type { Application, ApplicationStatus } from "../../api/types";
import { type ShownProblem, useProblemForm } from "../../api/useProblemForm";
import { ProblemAlert } from "../../components/ProblemAlert";
import { useAuth } from "../auth/AuthContext";
import { decideApplication, recruitmentKeys, useApplications } from "./api";

type Filter = ApplicationStatus | "all";

const PAGE = 50;
const STATUS_COLOURS: Record<ApplicationStatus, string> = {
  pending: "gold",
  approved: "green",
  rejected: "red",
};

function applicant(a: Application): string {
  return a.member.name || a.member.phone || a.member.email || `#${a.member.id}`;
}

function contact(a: Application): string {
  return [a.member.phone, a.member.email].filter(Boolean).join(" · ");
}

/** Distributor applications: the review queue, each application's answers, approve or reject. */
export function ApplicationsPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { can } = useAuth();
  const manage = can("distributors.manage");
  const queryClient = useQueryClient();
  const [filter, setFilter] = useState<Filter>("pending");
  const [open, setOpen] = useState<Application | null>(null);
  const [rejecting, setRejecting] = useState<Application | null>(null);
  const [pageProblem, setPageProblem] = useState<ShownProblem | null>(null);
  const [form] = Form.useForm<{ reason: string }>();
  const problem = useProblemForm(form, ["reason"], t("common.failed"));
  const english = i18n.language === "en-US";

  const list = useApplications(filter, PAGE);
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];

  const decide = useMutation({
    mutationFn: decideApplication,
    onMutate: () => setPageProblem(null),
    onSuccess: async (a) => {
      message.success(
        t(a.status === "approved" ? "applications.approved" : "applications.rejected", {
          name: applicant(a),
        }),
      );
      setOpen((current) => (current?.id === a.id ? a : current));
      await queryClient.invalidateQueries({ queryKey: recruitmentKeys.applications });
    },
  });

  const approve = (a: Application) =>
    decide.mutate(
      { id: a.id, action: "approve" },
      {
        onError: (error) => {
          setPageProblem({
            title: isProblem(error) ? error.detail || error.title : t("common.failed"),
            details: [],
          });
          void queryClient.invalidateQueries({ queryKey: recruitmentKeys.applications });
        },
      },
    );

  const reject = ({ reason }: { reason: string }) => {
    if (!rejecting) return;
    problem.clear();
    decide.mutate(
      { id: rejecting.id, action: "reject", reason },
      { onError: problem.show, onSuccess: () => setRejecting(null) },
    );
  };

  const actions = (a: Application) =>
    manage &&
    a.status === "pending" && (
      <Space>
        <Button
          size="small"
          type="primary"
          loading={decide.isPending && decide.variables?.id === a.id}
          onClick={() => approve(a)}
        >
          {t("applications.approve")}
        </Button>
        <Button
          size="small"
          danger
          onClick={() => {
            problem.clear();
            form.resetFields();
            setRejecting(a);
          }}
        >
          {t("applications.reject")}
        </Button>
      </Space>
    );

  return (
    <>
      <Typography.Title level={2}>{t("applications.title")}</Typography.Title>
      <Typography.Paragraph type="secondary">{t("applications.help")}</Typography.Paragraph>
      <Segmented<Filter>
        value={filter}
        onChange={setFilter}
        style={{ marginBottom: 16 }}
        options={(["pending", "approved", "rejected", "all"] as const).map((f) => ({
          value: f,
          label: t(`applications.filters.${f}`),
        }))}
      />
      <ProblemAlert problem={pageProblem} testId="applications-error" />
      <Table<Application>
        rowKey="id"
        loading={list.isPending}
        dataSource={items}
        pagination={false}
        data-testid="applications-table"
        locale={{ emptyText: t("applications.empty") }}
        columns={[
          {
            title: t("applications.applicant"),
            key: "applicant",
            render: (_: unknown, a) => (
              <Space orientation="vertical" size={0}>
                <Button type="link" style={{ padding: 0 }} onClick={() => setOpen(a)}>
                  {applicant(a)}
                </Button>
                <Typography.Text type="secondary">{contact(a)}</Typography.Text>
              </Space>
            ),
          },
          {
            title: t("applications.sponsor"),
            key: "sponsor",
            render: (_: unknown, a) =>
              a.sponsor ? `${a.sponsor.name ?? ""} (${a.sponsor.code})` : "—",
          },
          {
            title: t("applications.submitted"),
            dataIndex: "created_at",
            render: (v: string) => new Date(v).toLocaleString(),
          },
          {
            title: t("applications.status"),
            dataIndex: "status",
            render: (s: ApplicationStatus) => (
              <Tag color={STATUS_COLOURS[s]}>{t(`applications.statuses.${s}`)}</Tag>
            ),
          },
          { title: t("common.actions"), key: "actions", render: (_: unknown, a) => actions(a) },
        ]}
      />
      {list.hasNextPage && (
        <Button
          onClick={() => list.fetchNextPage()}
          loading={list.isFetchingNextPage}
          style={{ marginTop: 16 }}
        >
          {t("common.loadMore")}
        </Button>
      )}
      <Drawer
        open={open !== null}
        onClose={() => setOpen(null)}
        title={open ? t("applications.detailTitle", { name: applicant(open) }) : ""}
        size="large"
        extra={open && actions(open)}
      >
        {open && (
          <Space orientation="vertical" size="large" style={{ width: "100%" }}>
            <Descriptions column={1} bordered size="small" data-testid="application-detail">
              <Descriptions.Item label={t("applications.status")}>
                <Tag color={STATUS_COLOURS[open.status]}>
                  {t(`applications.statuses.${open.status}`)}
                </Tag>
              </Descriptions.Item>
              <Descriptions.Item label={t("applications.contact")}>
                {contact(open) || "—"}
              </Descriptions.Item>
              <Descriptions.Item label={t("applications.sponsor")}>
                {open.sponsor
                  ? `${open.sponsor.name ?? ""} (${open.sponsor.code}) · ${t(
                      `applications.sources.${open.sponsor_source ?? "code"}`,
                    )}`
                  : t("applications.noSponsor")}
              </Descriptions.Item>
              <Descriptions.Item label={t("applications.submitted")}>
                {new Date(open.created_at).toLocaleString()}
              </Descriptions.Item>
              {open.decided_at && (
                <Descriptions.Item label={t("applications.decided")}>
                  {new Date(open.decided_at).toLocaleString()}
                </Descriptions.Item>
              )}
              {open.distributor && (
                <Descriptions.Item label={t("applications.distributorCode")}>
                  {open.distributor.code}
                </Descriptions.Item>
              )}
              {open.reject_reason && (
                <Descriptions.Item label={t("applications.reason")}>
                  {open.reject_reason}
                </Descriptions.Item>
              )}
            </Descriptions>
            <Descriptions
              title={t("applications.answers")}
              column={1}
              bordered
              size="small"
              data-testid="application-answers"
            >
              {open.answers.length === 0 && (
                <Descriptions.Item label="—">{t("applications.noAnswers")}</Descriptions.Item>
              )}
              {open.answers.map((answer) => (
                <Descriptions.Item
                  key={answer.key}
                  label={english ? answer.label_en : answer.label_zh}
                >
                  <span style={{ whiteSpace: "pre-wrap" }}>{answer.value}</span>
                </Descriptions.Item>
              ))}
            </Descriptions>
          </Space>
        )}
      </Drawer>
      <Modal
        open={rejecting !== null}
        title={t("applications.rejectTitle", { name: rejecting ? applicant(rejecting) : "" })}
        okText={t("applications.reject")}
        okButtonProps={{ danger: true }}
        confirmLoading={decide.isPending}
        onOk={() => form.submit()}
        onCancel={() => setRejecting(null)}
        forceRender
      >
        <ProblemAlert problem={problem.problem} />
        <Form name="reject-application" form={form} layout="vertical" onFinish={reject}>
          <Form.Item
            label={t("applications.reason")}
            name="reason"
            extra={t("applications.reasonHelp")}
            rules={[{ required: true, whitespace: true, message: t("common.required") }]}
          >
            <Input.TextArea rows={4} maxLength={500} showCount />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
