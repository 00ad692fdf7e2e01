import { useMutation } from "@tanstack/react-query";
import {
  Alert,
  Breadcrumb,
  Button,
  Card,
  Checkbox,
  Col,
  Descriptions,
  Form,
  Input,
  Modal,
  Row,
  Select,
  Space,
  Spin,
  Statistic,
  Tabs,
  Typography,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { isProblem, withCodeFields } from "../../api/problem";
import type { DistributorDetail, UplineEntry } from "../../api/types";
import { type ShownProblem, useProblemForm } from "../../api/useProblemForm";
import { DistributorPicker, distributorLabel, StatusTag } from "../../components/DistributorPicker";
import { ProblemAlert } from "../../components/ProblemAlert";
import { useAuth } from "../auth/AuthContext";
import { useTiers } from "../distribution/api";
import {
  changeDistributorStatus,
  moveDistributor,
  releasePromotionHold,
  setDistributorTier,
  useDistributor,
  useDistributorSaved,
  useUpline,
} from "./api";
import { CustomersPanel } from "./CustomersPanel";
import { DownlineTree } from "./DownlineTree";
import { TierHistoryPanel } from "./TierHistoryPanel";

/** The longest upline the API answers in one read. */
const UPLINE_DEPTH = 50;

/** A distributor: who they are, their upline, figures, team tree, customers and staff actions. */
export function DistributorDetailPage() {
  const { t } = useTranslation();
  const id = Number(useParams().distributorId);
  const distributor = useDistributor(id);
  return (
    <>
      <Typography.Paragraph>
        <Link to="/distributors">← {t("distributors.title")}</Link>
      </Typography.Paragraph>
      {distributor.isPending && <Spin />}
      {distributor.isError && <Alert type="error" showIcon message={t("distributors.notFound")} />}
      {distributor.data && <Detail key={id} distributor={distributor.data} />}
    </>
  );
}

type Action = "move" | "freeze" | "unfreeze" | "end" | "tier";

function Detail({ distributor: d }: { distributor: DistributorDetail }) {
  const { t } = useTranslation();
  const { can } = useAuth();
  const manage = can("distributors.manage");
  const [action, setAction] = useState<Action | null>(null);
  const upline = useUpline(d, UPLINE_DEPTH);
  const ended = d.status === "ended";

  return (
    <>
      <Space align="center" wrap style={{ marginBottom: 16 }}>
        <Typography.Title level={2} style={{ margin: 0 }}>
          {distributorLabel(d)}
        </Typography.Title>
        <StatusTag status={d.status} />
      </Space>
      {manage && (
        <Space wrap style={{ display: "flex", marginBottom: 16 }}>
          {!ended && <Button onClick={() => setAction("move")}>{t("distributors.move")}</Button>}
          {!ended && <Button onClick={() => setAction("tier")}>{t("distributors.setTier")}</Button>}
          {d.status === "active" && (
            <Button onClick={() => setAction("freeze")}>{t("distributors.freeze")}</Button>
          )}
          {d.status === "frozen" && (
            <Button onClick={() => setAction("unfreeze")}>{t("distributors.unfreeze")}</Button>
          )}
          {!ended && (
            <Button danger onClick={() => setAction("end")}>
              {t("distributors.end")}
            </Button>
          )}
        </Space>
      )}
      {d.status !== "active" && d.status_reason && (
        <Alert
          type={ended ? "error" : "warning"}
          showIcon
          style={{ marginBottom: 16 }}
          message={t(`distributors.statusNotes.${d.status}`, { reason: d.status_reason })}
        />
      )}
      {d.promotion_held_since && <PromotionHold distributor={d} manage={manage} />}
      <Card style={{ marginBottom: 16 }}>
        <Descriptions column={{ xs: 1, md: 2, xl: 3 }} data-testid="distributor-facts">
          <Descriptions.Item label={t("distributors.code")}>{d.code}</Descriptions.Item>
          <Descriptions.Item label={t("distributors.name")}>
            {d.member.name ?? "—"}
          </Descriptions.Item>
          <Descriptions.Item label={t("distributors.phone")}>
            {d.member.phone ?? "—"}
          </Descriptions.Item>
          <Descriptions.Item label={t("distributors.email")}>
            {d.member.email ?? "—"}
          </Descriptions.Item>
          <Descriptions.Item label={t("distributors.tier")}>{d.tier_name ?? "—"}</Descriptions.Item>
          <Descriptions.Item label={t("distributors.joined")}>
            {new Date(d.joined_at).toLocaleString()}
          </Descriptions.Item>
        </Descriptions>
      </Card>
      <Card title={t("distributors.upline")} style={{ marginBottom: 16 }}>
        <Upline distributor={d} upline={upline.data} loading={upline.isPending} />
      </Card>
      <Card title={t("distributors.figuresTitle")} style={{ marginBottom: 16 }}>
        <Row gutter={[16, 16]} data-testid="team-figures">
          {(["personal_sales", "team_sales"] as const).map((k) => (
            <Col key={k} xs={12} md={8} xl={4}>
              <Statistic title={t(`distributors.figures.${k}`)} value={d.figures[k]} prefix="¥" />
            </Col>
          ))}
          {(["order_count", "direct_recruits", "team_size"] as const).map((k) => (
            <Col key={k} xs={12} md={8} xl={4}>
              <Statistic title={t(`distributors.figures.${k}`)} value={d.figures[k]} />
            </Col>
          ))}
        </Row>
      </Card>
      <Tabs
        items={[
          {
            key: "team",
            label: t("distributors.team"),
            children: <DownlineTree key={`${d.id}:${d.updated_at}`} root={d} />,
          },
          {
            key: "customers",
            label: t("distributors.customers"),
            children: <CustomersPanel distributorId={d.id} manage={manage} />,
          },
          {
            key: "tier-history",
            label: t("tierHistory.tab"),
            children: <TierHistoryPanel distributorId={d.id} />,
          },
        ]}
      />
      {action === "move" && <MoveDialog distributor={d} onClose={() => setAction(null)} />}
      {action === "tier" && <SetTierDialog distributor={d} onClose={() => setAction(null)} />}
      {(action === "freeze" || action === "unfreeze" || action === "end") && (
        <StatusDialog action={action} distributor={d} onClose={() => setAction(null)} />
      )}
    </>
  );
}

/** The upline from the top down to this distributor; the sponsor is level 1. */
function Upline({
  distributor: d,
  upline,
  loading,
}: {
  distributor: DistributorDetail;
  upline?: UplineEntry[];
  loading: boolean;
}) {
  const { t } = useTranslation();
  if (loading) return <Spin />;
  const entries = upline ?? d.upline;
  if (entries.length === 0) return <Typography.Text>{t("distributors.isRoot")}</Typography.Text>;
  const top = [...entries].sort((a, b) => b.level - a.level);
  return (
    <Breadcrumb
      data-testid="upline"
      separator="›"
      items={[
        ...(d.depth > entries.length ? [{ title: "…" }] : []),
        ...top.map((u) => ({
          title: (
            <Link to={`/distributors/${u.id}`}>
              {distributorLabel(u)}
              <Typography.Text type="secondary">
                {" "}
                ({t("distributors.uplineLevel", { n: u.level })})
              </Typography.Text>
            </Link>
          ),
        })),
        { title: <Typography.Text strong>{distributorLabel(d)}</Typography.Text> },
      ]}
    />
  );
}

/** A manual demotion paused automatic promotion; staff may let it resume. */
function PromotionHold({
  distributor: d,
  manage,
}: {
  distributor: DistributorDetail;
  manage: boolean;
}) {
  const { t } = useTranslation();
  const refresh = useDistributorSaved();
  const [problem, setProblem] = useState<ShownProblem | null>(null);
  const release = useMutation({
    mutationFn: () => releasePromotionHold(d.id),
    onMutate: () => setProblem(null),
    onError: (error: unknown) =>
      setProblem({
        title: isProblem(error) ? error.detail || error.title : t("common.failed"),
        details: [],
      }),
    onSuccess: refresh,
  });
  return (
    <>
      <ProblemAlert problem={problem} testId="promotion-hold-error" />
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 16 }}
        data-testid="promotion-hold"
        message={t("distributors.promotionHeld")}
        description={t("distributors.promotionHeldSince", {
          time: new Date(d.promotion_held_since ?? "").toLocaleString(),
        })}
        action={
          manage && (
            <Button size="small" loading={release.isPending} onClick={() => release.mutate()}>
              {t("distributors.releaseHold")}
            </Button>
          )
        }
      />
    </>
  );
}

/** Move problems that are about the new parent, though the API names no field. */
const MOVE_CODES = {
  self_parent: "parent_id",
  tree_cycle: "parent_id",
  parent_ended: "parent_id",
  move_binds_own_team: "parent_id",
};

interface MoveForm {
  parent_id: number | null;
  to_top: boolean;
  reason: string;
}

function MoveDialog({
  distributor: d,
  onClose,
}: {
  distributor: DistributorDetail;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<MoveForm>();
  const problem = useProblemForm(form, ["parent_id", "reason"], t("common.failed"));
  const refresh = useDistributorSaved();
  const toTop = Form.useWatch("to_top", form) === true;
  const move = useMutation({
    mutationFn: (values: MoveForm) =>
      moveDistributor(d.id, {
        parent_id: values.to_top ? null : values.parent_id,
        reason: values.reason.trim(),
      }),
    onMutate: problem.clear,
    onError: (error: unknown) => problem.show(withCodeFields(error, MOVE_CODES)),
    onSuccess: async (saved) => {
      await refresh(saved);
      onClose();
    },
  });
  return (
    <Modal
      open
      title={t("distributors.moveTitle", { name: distributorLabel(d) })}
      okText={t("distributors.move")}
      confirmLoading={move.isPending}
      onOk={() => form.submit()}
      onCancel={onClose}
    >
      <ProblemAlert problem={problem.problem} testId="move-error" />
      <Typography.Paragraph type="secondary">{t("distributors.moveHelp")}</Typography.Paragraph>
      <Form<MoveForm>
        form={form}
        name="distributor-move"
        layout="vertical"
        initialValues={{ parent_id: d.parent_id ?? null, to_top: false, reason: "" }}
        onFinish={(v) => move.mutate(v)}
      >
        <Form.Item
          label={t("distributors.newSponsor")}
          name="parent_id"
          hidden={toTop}
          rules={toTop ? [] : [{ required: true, message: t("common.required") }]}
        >
          <DistributorPicker exclude={d.id} aria-label={t("distributors.newSponsor")} />
        </Form.Item>
        <Form.Item name="to_top" valuePropName="checked">
          <Checkbox>{t("distributors.toTop")}</Checkbox>
        </Form.Item>
        <ReasonField required />
      </Form>
    </Modal>
  );
}

function ReasonField({ required }: { required: boolean }) {
  const { t } = useTranslation();
  return (
    <Form.Item
      label={t("distributors.reason")}
      name="reason"
      rules={required ? [{ required: true, whitespace: true, message: t("common.required") }] : []}
    >
      <Input.TextArea rows={3} maxLength={500} showCount />
    </Form.Item>
  );
}

function StatusDialog({
  action,
  distributor: d,
  onClose,
}: {
  action: "freeze" | "unfreeze" | "end";
  distributor: DistributorDetail;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ reason: string }>();
  const problem = useProblemForm(form, ["reason"], t("common.failed"));
  const refresh = useDistributorSaved();
  const change = useMutation({
    mutationFn: ({ reason }: { reason: string }) =>
      changeDistributorStatus(d.id, action, (reason ?? "").trim()),
    onMutate: problem.clear,
    onError: (error: unknown) => problem.show(error),
    onSuccess: async (saved) => {
      await refresh(saved);
      onClose();
    },
  });
  return (
    <Modal
      open
      title={t(`distributors.${action}Title`, { name: distributorLabel(d) })}
      okText={t(`distributors.${action}`)}
      okButtonProps={{ danger: action !== "unfreeze" }}
      confirmLoading={change.isPending}
      onOk={() => form.submit()}
      onCancel={onClose}
    >
      <ProblemAlert problem={problem.problem} testId="status-error" />
      <Typography.Paragraph>{t(`distributors.${action}Help`)}</Typography.Paragraph>
      <Form
        form={form}
        name="distributor-status"
        layout="vertical"
        onFinish={(v) => change.mutate(v)}
      >
        <ReasonField required={action !== "unfreeze"} />
      </Form>
    </Modal>
  );
}

interface SetTierForm {
  tier_id: number | "";
  reason: string;
}

function SetTierDialog({
  distributor: d,
  onClose,
}: {
  distributor: DistributorDetail;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const tiers = useTiers();
  const [form] = Form.useForm<SetTierForm>();
  const problem = useProblemForm(form, ["tier_id", "reason"], t("common.failed"));
  const refresh = useDistributorSaved();
  const chosen = Form.useWatch("tier_id", form);
  const rankOf = (id: number | "" | null | undefined) =>
    tiers.data?.find((tier) => tier.id === id)?.rank ?? 0;
  const demotion = chosen !== undefined && rankOf(chosen) < rankOf(d.tier_id);
  const set = useMutation({
    mutationFn: (values: SetTierForm) =>
      setDistributorTier(d.id, {
        tier_id: values.tier_id === "" ? null : values.tier_id,
        reason: values.reason.trim(),
      }),
    onMutate: problem.clear,
    onError: (error: unknown) => problem.show(error),
    onSuccess: async (saved) => {
      await refresh(saved);
      onClose();
    },
  });
  return (
    <Modal
      open
      title={t("distributors.setTierTitle", { name: distributorLabel(d) })}
      okText={t("common.save")}
      confirmLoading={set.isPending}
      onOk={() => form.submit()}
      onCancel={onClose}
    >
      <ProblemAlert problem={problem.problem} testId="tier-set-error" />
      <Form<SetTierForm>
        form={form}
        name="distributor-tier"
        layout="vertical"
        initialValues={{ tier_id: d.tier_id ?? "", reason: "" }}
        onFinish={(v) => set.mutate(v)}
      >
        <Form.Item label={t("distributors.tier")} name="tier_id">
          <Select
            options={[
              { value: "", label: t("distributors.noTier") },
              ...(tiers.data ?? []).map((tier) => ({
                value: tier.id,
                label: `${tier.rank}. ${tier.name}`,
              })),
            ]}
          />
        </Form.Item>
        {demotion && (
          <Alert
            type="warning"
            showIcon
            style={{ marginBottom: 16 }}
            message={t("distributors.demotionNote")}
          />
        )}
        <ReasonField required />
      </Form>
    </Modal>
  );
}
