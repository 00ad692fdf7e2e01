import { useMutation, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  List,
  Modal,
  Popconfirm,
  Space,
  Tag,
  Typography,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import type { Prize, Standing } from "../../api/types";
import { ProblemAlert } from "../../components/ProblemAlert";
import { useAuth } from "../auth/AuthContext";
import { contestAction, contestKeys, useContest, useStandings } from "./api";
import { ContestFormModal } from "./ContestFormModal";
import { ContestStatusTag } from "./ContestStatusTag";
import { allowedActions, figureText } from "./contestsView";
import { RankingTable } from "./RankingTable";

function usePrizeText() {
  const { t } = useTranslation();
  return (p: Prize) => {
    const ranks =
      p.rank_from === p.rank_to
        ? t("contests.prizeRank", { rank: p.rank_from })
        : t("contests.prizeRanks", { from: p.rank_from, to: p.rank_to });
    return `${ranks} · ${p.description}${p.amount ? ` (¥${p.amount})` : ""}`;
  };
}

/** One contest: its rules, what may be done with it, and its live or final standings. */
export function ContestDetailPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const id = Number(useParams().contestId);
  const prizeText = usePrizeText();
  const [editing, setEditing] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [cancelForm] = Form.useForm<{ reason: string }>();

  const contest = useContest(id);
  const standings = useStandings(id);
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: contestKeys.contest(id) });
    await queryClient.invalidateQueries({ queryKey: contestKeys.contests });
  };

  const act = useMutation({
    mutationFn: async (action: "publish" | "cancel" | "delete") => {
      const reason = action === "cancel" ? (cancelForm.getFieldValue("reason") ?? "") : "";
      await contestAction(id, action, reason);
      return action;
    },
    onMutate: () => setFailure(null),
    onError: (error: { detail?: string }) => setFailure(error.detail ?? t("common.failed")),
    onSuccess: async (action) => {
      setCancelling(false);
      if (action === "delete") {
        await queryClient.invalidateQueries({ queryKey: contestKeys.contests });
        navigate("/contests");
      } else {
        await refresh();
      }
    },
  });

  if (contest.isPending) return <Card loading />;
  if (!contest.data) {
    return <Alert type="error" showIcon message={t("common.failed")} />;
  }
  const c = contest.data;
  const allowed = allowedActions(c.status);
  const manage = can("distributors.manage");
  const board = standings.data;
  const winners = (board?.ranking === "final" ? board.items : []).filter((s) => s.prize);

  return (
    <>
      <Link to="/contests">← {t("contests.back")}</Link>
      <Space style={{ width: "100%", justifyContent: "space-between", marginTop: 8 }} wrap>
        <Typography.Title level={2} style={{ margin: 0 }}>
          {c.name} <ContestStatusTag status={c.status} />
        </Typography.Title>
        {manage && (
          <Space>
            {allowed.edit && <Button onClick={() => setEditing(true)}>{t("contests.edit")}</Button>}
            {allowed.publish && (
              <Popconfirm
                title={t("contests.publishConfirm")}
                onConfirm={() => act.mutate("publish")}
              >
                <Button type="primary">{t("contests.publish")}</Button>
              </Popconfirm>
            )}
            {allowed.cancel && (
              <Button danger onClick={() => setCancelling(true)}>
                {t("contests.cancel")}
              </Button>
            )}
            {allowed.remove && (
              <Popconfirm
                title={t("contests.removeConfirm")}
                onConfirm={() => act.mutate("delete")}
              >
                <Button danger>{t("contests.remove")}</Button>
              </Popconfirm>
            )}
          </Space>
        )}
      </Space>
      {failure && <ProblemAlert problem={{ title: failure, details: [] }} />}
      {c.cancel_reason && (
        <Alert
          type="warning"
          showIcon
          message={t("contests.cancelledBecause", { reason: c.cancel_reason })}
          style={{ margin: "16px 0" }}
        />
      )}
      <Descriptions bordered size="small" column={2} style={{ margin: "16px 0" }}>
        <Descriptions.Item label={t("contests.metric")}>
          {t(`metrics.${c.metric}`)}
        </Descriptions.Item>
        <Descriptions.Item label={t("contests.period")}>
          {c.start_date} ~ {c.end_date}
        </Descriptions.Item>
        <Descriptions.Item label={t("contests.timezone")}>{c.timezone}</Descriptions.Item>
        <Descriptions.Item label={t("contests.participants")}>
          {board?.participants ?? "—"}
        </Descriptions.Item>
        <Descriptions.Item label={t("contests.description")} span={2}>
          {c.description || "—"}
        </Descriptions.Item>
        <Descriptions.Item label={t("contests.prizes")} span={2}>
          {c.prizes.length === 0
            ? t("contests.noPrizes")
            : c.prizes.map((p) => <div key={p.rank_from}>{prizeText(p)}</div>)}
        </Descriptions.Item>
      </Descriptions>

      {board?.ranking === "final" && (
        <Card title={t("contests.winners")} size="small" style={{ marginBottom: 16 }}>
          <List
            data-testid="contest-winners"
            dataSource={winners}
            locale={{ emptyText: t("contests.noWinners") }}
            renderItem={(s: Standing) => (
              <List.Item>
                <Space>
                  <Tag color="gold">{s.rank}</Tag>
                  {s.name} ({s.code}) · {figureText(c.metric, s, t)}
                  <Typography.Text type="secondary">{s.prize?.description}</Typography.Text>
                </Space>
              </List.Item>
            )}
          />
        </Card>
      )}

      <Space style={{ marginBottom: 8 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t("contests.standings")}
        </Typography.Title>
        {board && (
          <Tag
            color={
              board.ranking === "final" ? "purple" : board.ranking === "live" ? "green" : "default"
            }
            data-testid="contest-ranking"
          >
            {board.ranking === "final"
              ? t("contests.frozenAt", {
                  time: board.frozen_at ? new Date(board.frozen_at).toLocaleString() : "",
                })
              : t(`contests.${board.ranking}`)}
          </Tag>
        )}
      </Space>
      <RankingTable<Standing>
        metric={c.metric}
        rows={board?.items ?? []}
        loading={standings.isPending}
        testId="contest-standings"
        extra={[
          {
            title: t("contests.prizes"),
            key: "prize",
            render: (s) => s.prize?.description ?? "",
          },
        ]}
      />

      <ContestFormModal
        open={editing}
        contest={c}
        onClose={() => setEditing(false)}
        onSaved={async () => {
          setEditing(false);
          await refresh();
        }}
      />
      <Modal
        open={cancelling}
        title={t("contests.cancel")}
        confirmLoading={act.isPending}
        onOk={() => cancelForm.submit()}
        onCancel={() => setCancelling(false)}
        destroyOnHidden
      >
        <Form form={cancelForm} layout="vertical" onFinish={() => act.mutate("cancel")}>
          <Form.Item
            label={t("contests.cancelReason")}
            name="reason"
            rules={[{ required: true, message: t("common.required") }]}
          >
            <Input maxLength={200} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
