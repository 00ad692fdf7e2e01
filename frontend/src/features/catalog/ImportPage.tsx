import { useIsMutating, useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Card, Progress, Space, Table, Tag, Typography, Upload } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { isProblem } from "../../api/problem";
import type { ImportJob, Problem } from "../../api/types";
import { useStockChanged } from "../inventory/api";
import { catalogKeys, exportCatalog, runImport, useImportJobs } from "./api";

/** Polling period of the job list while an import runs. */
const POLL_MS = 1000;

/** Import products, SKUs and stock from a spreadsheet: check first, then import; and export. */
export function ImportPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [result, setResult] = useState<ImportJob | null>(null);

  // The upload answers only when the import is over; meanwhile its job is in the list, with
  // the rows processed so far.
  const running = useIsMutating({ mutationKey: catalogKeys.importRun }) > 0;
  const jobs = useImportJobs(running, POLL_MS);
  const stockChanged = useStockChanged();

  const run = useMutation({
    mutationKey: catalogKeys.importRun,
    mutationFn: async (dryRun: boolean): Promise<ImportJob> => {
      if (!file) throw new Error("no file");
      return runImport(file, dryRun);
    },
    onMutate: () => {
      setProblem(null);
      setResult(null);
      void queryClient.invalidateQueries({ queryKey: catalogKeys.imports, exact: true });
    },
    onError: (error: unknown) => {
      if (isProblem(error)) setProblem(error);
    },
    onSuccess: (job) => {
      setResult(job);
      // A real run changed products, prices and stock (and perhaps raised low-stock alerts).
      if (!job.dry_run) stockChanged();
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: catalogKeys.imports }),
  });

  const download = async (format: "xlsx" | "csv") => {
    const blob = await exportCatalog(format);
    if (!blob) return;
    const url = URL.createObjectURL(blob);
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
