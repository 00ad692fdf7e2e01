import { useMutation, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Radio,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from "antd";
import { type DragEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { isProblem, withCodeFields } from "../../api/problem";
import type { Tier } from "../../api/types";
import { useProblemForm } from "../../api/useProblemForm";
import { ProblemAlert } from "../../components/ProblemAlert";
import { useAuth } from "../auth/AuthContext";
import {
  deleteTier,
  distributionKeys,
  reorderTiers,
  saveTier,
  useDistributionSettings,
  useTiers,
} from "./api";
import {
  AMOUNT_CONDITIONS,
  COUNT_CONDITIONS,
  commissionLabel,
  formatMillionths,
  moveItem,
  newTierForm,
  percentTotal,
  setConditions,
  TIER_CODE_FIELDS,
  TIER_FORM_FIELDS,
  type TierForm,
  toTierForm,
  toTierRequest,
  WHOLE,
} from "./tierForm";

const MONEY = /^\d+(\.\d{1,2})?$/;
const PERCENT = /^\d+(\.\d{1,4})?$/;

/** Distributor tiers (等级): the ladder, lowest first, with rates, discount and promotion. */
export function TiersPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useAuth();
  const manage = can("distributors.manage");
  const queryClient = useQueryClient();
  const tiers = useTiers();
  const depth = useDistributionSettings().data?.commission_depth ?? 2;
  const [editing, setEditing] = useState<Tier | "new" | null>(null);
  const [deleting, setDeleting] = useState<Tier | null>(null);
  const [dragged, setDragged] = useState<number | null>(null);
  const rows = tiers.data ?? [];

  const reorder = useMutation({
    mutationFn: reorderTiers,
    onMutate: (ids) => {
      // Show the new order at once; the answer (or a refetch after a refusal) settles it.
      const byId = new Map(rows.map((r) => [r.id, r]));
      queryClient.setQueryData(
        distributionKeys.tiers,
        ids.flatMap((id, i) => {
          const tier = byId.get(id);
          return tier ? [{ ...tier, rank: i + 1 }] : [];
        }),
      );
    },
    onSuccess: (saved) => queryClient.setQueryData(distributionKeys.tiers, saved),
    onError: async (error: unknown) => {
      message.error(isProblem(error) ? error.detail : t("common.failed"));
      await queryClient.invalidateQueries({ queryKey: distributionKeys.tiers });
    },
  });

  const move = (from: number, to: number) => {
    if (from === to || to < 0 || to >= rows.length) return;
    reorder.mutate(
      moveItem(
        rows.map((r) => r.id),
        from,
        to,
      ),
    );
  };

  const remove = useMutation({
    mutationFn: (tier: Tier) => deleteTier(tier.id),
    onError: (error: unknown, tier) => {
      // Distributors took the tier since the list was read: ask where they should go.
      if (isProblem(error) && error.code === "tier_in_use") setDeleting(tier);
      else message.error(isProblem(error) ? error.detail : t("common.failed"));
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: distributionKeys.tiers }),
  });

  const dragProps = (index: number) =>
    manage
      ? {
          draggable: true,
          onDragStart: (e: DragEvent) => {
            e.dataTransfer.effectAllowed = "move";
            setDragged(index);
          },
          onDragOver: (e: DragEvent) => {
            if (dragged !== null) e.preventDefault();
          },
          onDrop: (e: DragEvent) => {
            e.preventDefault();
            if (dragged !== null) move(dragged, index);
            setDragged(null);
          },
          onDragEnd: () => setDragged(null),
          style: { cursor: "grab", opacity: dragged === index ? 0.5 : 1 },
        }
      : {};

  return (
    <>
      <Typography.Title level={2}>{t("tiers.title")}</Typography.Title>
      <Typography.Paragraph type="secondary">{t("tiers.intro")}</Typography.Paragraph>
      {manage && (
        <Button type="primary" onClick={() => setEditing("new")} style={{ marginBottom: 16 }}>
          {t("tiers.add")}
        </Button>
      )}
      <Table<Tier>
        rowKey="id"
        loading={tiers.isPending}
        dataSource={rows}
        pagination={false}
        data-testid="tiers-table"
        onRow={(_, index) => ({ ...dragProps(index ?? 0), "data-tier": _.name }) as object}
        columns={[
          ...(manage
            ? [
                {
                  key: "drag",
                  width: 32,
                  render: () => (
                    <span aria-hidden title={t("tiers.drag")} style={{ cursor: "grab" }}>
                      ⠿
                    </span>
                  ),
                },
              ]
            : []),
          { title: t("tiers.rank"), dataIndex: "rank", width: 64 },
          { title: t("tiers.name"), dataIndex: "name" },
          {
            title: t("tiers.commission"),
            key: "commission",
            render: (_: unknown, tier) => (
              <Space size={4} wrap>
                {(["level1", "level2", "level3"] as const).map((level, i) => (
                  <Tag key={level} color={i < depth ? "blue" : undefined}>
                    {t("tiers.levelShort", { n: i + 1 })}{" "}
                    {commissionLabel(tier.commission_kind, tier[level])}
                  </Tag>
                ))}
              </Space>
            ),
          },
          {
            title: t("tiers.discount"),
            dataIndex: "purchase_discount",
            render: (v: string) => (v === "0" ? "—" : `${v}%`),
          },
          {
            title: t("tiers.promotion"),
            key: "promotion",
            render: (_: unknown, tier) => {
              const set = setConditions(tier.promotion);
              if (set.length === 0)
                return (
                  <Typography.Text type="secondary">{t("tiers.noConditions")}</Typography.Text>
                );
              return (
                <Space size={4} wrap>
                  {set.length > 1 && <Tag>{t(`tiers.modes.${tier.promotion.mode ?? "all"}`)}</Tag>}
                  {set.map((c) => (
                    <span key={c.key}>
                      {t(`tiers.conditions.${c.key}`)} ≥{" "}
                      {AMOUNT_CONDITIONS.some((a) => a === c.key) ? `¥${c.value}` : c.value}
                    </span>
                  ))}
                </Space>
              );
            },
          },
          { title: t("tiers.distributors"), dataIndex: "distributor_count" },
          ...(manage
            ? [
                {
                  title: t("common.actions"),
                  key: "actions",
                  // The arrows depend on the row's place and on a reorder in flight, not only on
                  // the row's own data, which is all the table compares by default.
                  shouldCellUpdate: () => true,
                  render: (_: unknown, tier: Tier, index: number) => (
                    <Space>
                      <Button
                        size="small"
                        aria-label={t("tiers.moveUp")}
                        disabled={index === 0 || reorder.isPending}
                        onClick={() => move(index, index - 1)}
                      >
                        ↑
                      </Button>
                      <Button
                        size="small"
                        aria-label={t("tiers.moveDown")}
                        disabled={index === rows.length - 1 || reorder.isPending}
                        onClick={() => move(index, index + 1)}
                      >
                        ↓
                      </Button>
                      <Button size="small" onClick={() => setEditing(tier)}>
                        {t("common.edit")}
                      </Button>
                      {tier.distributor_count > 0 ? (
                        <Button size="small" danger onClick={() => setDeleting(tier)}>
                          {t("common.delete")}
                        </Button>
                      ) : (
                        <Popconfirm
                          title={t("tiers.deleteConfirm", { name: tier.name })}
                          onConfirm={() => remove.mutate(tier)}
                        >
                          <Button size="small" danger>
                            {t("common.delete")}
                          </Button>
                        </Popconfirm>
                      )}
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      {editing !== null && (
        <TierDialog
          tier={editing === "new" ? null : editing}
          depth={depth}
          onClose={() => setEditing(null)}
        />
      )}
      {deleting && (
        <DeleteTierDialog
          tier={deleting}
          others={rows.filter((r) => r.id !== deleting.id)}
          onClose={() => setDeleting(null)}
        />
      )}
    </>
  );
}

function TierDialog({
  tier,
  depth,
  onClose,
}: {
  tier: Tier | null;
  depth: number;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<TierForm>();
  const problem = useProblemForm(form, TIER_FORM_FIELDS, t("common.failed"));
  const kind = Form.useWatch("commission_kind", form) ?? tier?.commission_kind ?? "percent";
  const levels = [
    Form.useWatch("level1", form),
    Form.useWatch("level2", form),
    Form.useWatch("level3", form),
  ];
  const total = kind === "percent" ? percentTotal(levels) : null;

  const save = useMutation({
    mutationFn: (values: TierForm) => saveTier(tier?.id, toTierRequest(values)),
    onMutate: problem.clear,
    onError: (error: unknown) => problem.show(withCodeFields(error, TIER_CODE_FIELDS)),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: distributionKeys.tiers });
      onClose();
    },
  });

  const valueRules = [
    { required: true, message: t("common.required") },
    kind === "percent"
      ? { pattern: PERCENT, message: t("tiers.percentFormat") }
      : { pattern: MONEY, message: t("distribution.moneyFormat") },
  ];
  const unit = kind === "percent" ? { suffix: "%" } : { prefix: "¥", suffix: t("tiers.perUnit") };

  return (
    <Modal
      open
      width={760}
      title={tier ? t("tiers.edit", { name: tier.name }) : t("tiers.add")}
      okText={t("common.save")}
      confirmLoading={save.isPending}
      onOk={() => form.submit()}
      onCancel={onClose}
    >
      <ProblemAlert problem={problem.problem} testId="tier-error" />
      <Form<TierForm>
        name="tier"
        form={form}
        layout="vertical"
        initialValues={tier ? toTierForm(tier) : newTierForm()}
        onFinish={(v) => save.mutate(v)}
      >
        <Form.Item
          label={t("tiers.name")}
          name="name"
          rules={[{ required: true, message: t("common.required") }]}
        >
          <Input maxLength={30} />
        </Form.Item>
        <Form.Item label={t("tiers.kind")} name="commission_kind">
          <Radio.Group
            options={(["percent", "fixed"] as const).map((k) => ({
              value: k,
              label: t(`tiers.kinds.${k}`),
            }))}
          />
        </Form.Item>
        <Space wrap align="start">
          {(["level1", "level2", "level3"] as const).map((level, i) => (
            <Form.Item
              key={level}
              label={t("tiers.level", { n: i + 1 })}
              name={level}
              rules={i < 2 ? valueRules : valueRules.slice(1)}
              extra={i === 2 && depth < 3 ? t("tiers.level3Unused") : undefined}
              style={{ width: 200 }}
            >
              <Input inputMode="decimal" {...unit} />
            </Form.Item>
          ))}
        </Space>
        {total !== null && (
          <Alert
            type={total > WHOLE ? "error" : "info"}
            showIcon
            data-testid="tier-total"
            style={{ marginBottom: 16 }}
            message={t(total > WHOLE ? "tiers.totalOver" : "tiers.total", {
              total: formatMillionths(total),
            })}
          />
        )}
        <Form.Item
          label={t("tiers.discount")}
          name="purchase_discount"
          extra={t("tiers.discountHelp")}
          rules={[{ pattern: PERCENT, message: t("tiers.percentFormat") }]}
        >
          <Input inputMode="decimal" suffix="%" style={{ maxWidth: 200 }} placeholder="0" />
        </Form.Item>
        <Typography.Title level={5}>{t("tiers.promotion")}</Typography.Title>
        <Typography.Paragraph type="secondary">{t("tiers.promotionHelp")}</Typography.Paragraph>
        <Form.Item label={t("tiers.conditionMode")} name={["promotion", "mode"]}>
          <Radio.Group
            options={(["all", "any"] as const).map((m) => ({
              value: m,
              label: t(`tiers.modes.${m}`),
            }))}
          />
        </Form.Item>
        <Space wrap align="start">
          {AMOUNT_CONDITIONS.map((key) => (
            <Form.Item
              key={key}
              label={t(`tiers.conditions.${key}`)}
              name={["promotion", key]}
              rules={[{ pattern: MONEY, message: t("distribution.moneyFormat") }]}
              style={{ width: 200 }}
            >
              <Input prefix="¥" inputMode="decimal" placeholder={t("tiers.notSet")} />
            </Form.Item>
          ))}
          {COUNT_CONDITIONS.map((key) => (
            <Form.Item
              key={key}
              label={t(`tiers.conditions.${key}`)}
              name={["promotion", key]}
              style={{ width: 200 }}
            >
              <InputNumber
                min={0}
                precision={0}
                style={{ width: "100%" }}
                placeholder={t("tiers.notSet")}
              />
            </Form.Item>
          ))}
        </Space>
      </Form>
    </Modal>
  );
}

/** Deleting a tier that distributors hold: they move to another tier, chosen here. */
function DeleteTierDialog({
  tier,
  others,
  onClose,
}: {
  tier: Tier;
  others: Tier[];
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ move_to: number }>();
  const problem = useProblemForm(form, ["move_to"], t("common.failed"));
  const remove = useMutation({
    mutationFn: ({ move_to }: { move_to: number }) => deleteTier(tier.id, move_to),
    onMutate: problem.clear,
    onError: (error: unknown) => problem.show(error),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: distributionKeys.tiers });
      onClose();
    },
  });
  return (
    <Modal
      open
      title={t("tiers.deleteTitle", { name: tier.name })}
      okText={t("common.delete")}
      okButtonProps={{ danger: true, disabled: others.length === 0 }}
      confirmLoading={remove.isPending}
      onOk={() => form.submit()}
      onCancel={onClose}
    >
      <ProblemAlert problem={problem.problem} testId="tier-delete-error" />
      <Typography.Paragraph>
        {t("tiers.inUse", { count: tier.distributor_count })}
      </Typography.Paragraph>
      {others.length === 0 ? (
        <Alert type="warning" showIcon message={t("tiers.noOtherTier")} />
      ) : (
        <Form form={form} name="tier-delete" layout="vertical" onFinish={(v) => remove.mutate(v)}>
          <Form.Item
            label={t("tiers.moveTo")}
            name="move_to"
            rules={[{ required: true, message: t("common.required") }]}
          >
            <Select options={others.map((o) => ({ value: o.id, label: o.name }))} />
          </Form.Item>
        </Form>
      )}
    </Modal>
  );
}
