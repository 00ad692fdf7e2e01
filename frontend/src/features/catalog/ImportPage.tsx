import { useIsMutating, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Card, Progress, Space, Table, Tag, Typography, Upload } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client";
import { isProblem } from "../../api/problem";
import type { ImportJob, Problem } from "../../api/types";
import { loadTokens } from "../../auth/tokens";

/** Names the import run, so the job list knows one is under way before its job is listed. */
const RUN_KEY = ["imports", "run"];

/** Polling period of the job list while an import runs. */
const POLL_MS = 1000;

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

function contentTypeOf(file: File): string {
  return file.name.toLowerCase().endsWith(".xlsx") ? XLSX : "text/csv";
}

/** Import products, SKUs and stock from a spreadsheet: check first, then import; and export. */
export function ImportPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [result, setResult] = useState<ImportJob | null>(null);

  // The upload answers only when the import is over; meanwhile its job is in the list, with
  // the rows processed so far.
  const running = useIsMutating({ mutationKey: RUN_KEY }) > 0;
  const jobs = useQuery({
    queryKey: ["imports"],
    queryFn: async (): Promise<ImportJob[]> => {
      const { data, error } = await api.GET("/api/v1/catalog/imports");
      if (data) return data;
      throw error;
    },
    // Progress of a running import shows while it runs: ours (the upload has not answered yet)
    // or one started elsewhere that the list shows unfinished.
    refetchInterval: (query) =>
      running || (query.state.data ?? []).some((j) => j.finished_at == null) ? POLL_MS : false,
  });

  const run = useMutation({
    mutationKey: RUN_KEY,
    mutationFn: async (dryRun: boolean): Promise<ImportJob> => {
      if (!file) throw new Error("no file");
      const { data, error } = await api.POST("/api/v1/catalog/imports", {
        params: { query: { dry_run: dryRun } },
        body: file as unknown as string,
        bodySerializer: (body: unknown) => body as BodyInit,
        headers: { "Content-Type": contentTypeOf(file) },
      });
      if (data) return data;
      throw error;
    },
    onMutate: () => {
      setProblem(null);
      setResult(null);
      void queryClient.invalidateQueries({ queryKey: ["imports"], exact: true });
    },
    onError: (error: unknown) => {
      if (isProblem(error)) setProblem(error);
    },
    onSuccess: (job) => {
      setResult(job);
      // A real run changed products, prices and stock (and perhaps raised low-stock alerts).
      if (!job.dry_run) {
        for (const key of ["products", "product", "low-stock"]) {
          void queryClient.invalidateQueries({ queryKey: [key] });
        }
      }
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["imports"] }),
  });

  const download = async (format: "xlsx" | "csv") => {
    const tokens = loadTokens();
    const response = await fetch(`/api/v1/catalog/export?format=${format}`, {
      headers: tokens ? { Authorization: `Bearer ${tokens.accessToken}` } : {},
    });
    if (!response.ok) return;
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement("a");
    link.href = url;
    link.download = `products.${format}`;
    link.click();
    URL.revokeObjectURL(url);
  };

  return (
    <Space orientation="vertical" size="large" style={{ width: "100%" }}>
      <Typography.Title level={2}>{t("import.title")}</Typography.Title>
      <Card title={t("import.upload")}>
        <Space orientation="vertical" style={{ width: "100%" }}>
          <Typography.Text type="secondary">{t("import.help")}</Typography.Text>
          <Upload
            accept=".csv,.xlsx"
            maxCount={1}
            beforeUpload={(f) => {
              setFile(f);
              return false;
            }}
            onRemove={() => setFile(null)}
          >
            <Button>{t("import.choose")}</Button>
          </Upload>
          <Space>
            <Button disabled={!file} loading={run.isPending} onClick={() => run.mutate(true)}>
              {t("import.check")}
            </Button>
            <Button
              type="primary"
              disabled={!file}
              loading={run.isPending}
              onClick={() => run.mutate(false)}
            >
              {t("import.import")}
            </Button>
          </Space>
          {result && (
            <Alert
              type="success"
              showIcon
              data-testid="import-result"
              message={result.dry_run ? t("import.checked") : t("import.done")}
              description={t("import.counts", {
                rows: result.total_rows,
                products: result.products_created,
                created: result.skus_created,
                updated: result.skus_updated,
              })}
            />
          )}
          {problem && (
            <>
              <Alert type="error" showIcon message={problem.detail || problem.title} />
              <Table
                rowKey={(e) => `${e.field}-${e.code}`}
                dataSource={problem.errors}
                pagination={{ pageSize: 20 }}
                data-testid="import-errors"
                columns={[
                  { title: t("import.where"), dataIndex: "field" },
                  { title: t("import.reason"), dataIndex: "message" },
                ]}
              />
            </>
          )}
        </Space>
      </Card>
      <Card title={t("import.export")}>
        <Space>
          <Button onClick={() => download("xlsx")}>Excel (xlsx)</Button>
          <Button onClick={() => download("csv")}>CSV</Button>
        </Space>
      </Card>
      <Card title={t("import.history")}>
        <Table<ImportJob>
          rowKey="id"
          loading={jobs.isPending}
          dataSource={jobs.data ?? []}
          pagination={false}
          columns={[
            {
              title: t("audit.time"),
              dataIndex: "created_at",
              render: (v: string) => new Date(v).toLocaleString(),
            },
            {
              title: t("import.kind"),
              dataIndex: "dry_run",
              render: (dry: boolean) => <Tag>{dry ? t("import.check") : t("import.import")}</Tag>,
            },
            { title: t("products.status"), dataIndex: "status" },
            {
              title: t("import.progress"),
              key: "progress",
              render: (_: unknown, j) => (
                <Progress
                  size="small"
                  percent={
                    j.total_rows > 0 ? Math.floor((j.processed_rows * 100) / j.total_rows) : 0
                  }
                />
              ),
            },
            { title: t("import.errorRows"), dataIndex: "error_rows" },
          ]}
        />
      </Card>
    </Space>
  );
}
