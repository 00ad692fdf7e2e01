import { Alert, Button, Checkbox, Modal, Space, Table, Tag, Typography, Upload } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { BatchReport, RowResult } from "../../api/types";
import { useShipmentFile } from "./api";

/** Ships orders from a CSV or Excel file: the file is checked first, every row's result shown,
 * then shipped (each row on its own, or all or none). */
export function BatchShipModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const upload = useShipmentFile();
  const [file, setFile] = useState<File | null>(null);
  const [allOrNothing, setAllOrNothing] = useState(false);
  const [report, setReport] = useState<BatchReport | null>(null);
  const failure = upload.error as { detail?: string; errors?: { message?: string }[] } | null;
  const run = (dryRun: boolean) =>
    file && upload.mutate({ file, dryRun, allOrNothing }, { onSuccess: setReport });
  const close = () => {
    setFile(null);
    setReport(null);
    upload.reset();
    onClose();
  };

  return (
    <Modal open={open} title={t("fulfilment.batchShip")} onCancel={close} footer={null} width={760}>
      <Typography.Paragraph type="secondary">{t("fulfilment.batchHelp")}</Typography.Paragraph>
      <Space wrap style={{ marginBottom: 16 }}>
        <Upload
          accept=".csv,.xlsx"
          maxCount={1}
          beforeUpload={(f) => {
            setFile(f);
            setReport(null);
            return false;
          }}
          onRemove={() => setFile(null)}
        >
          <Button>{t("fulfilment.chooseFile")}</Button>
        </Upload>
        <Checkbox checked={allOrNothing} onChange={(e) => setAllOrNothing(e.target.checked)}>
          {t("fulfilment.allOrNothing")}
        </Checkbox>
        <Button disabled={!file} loading={upload.isPending} onClick={() => run(true)}>
          {t("fulfilment.check")}
        </Button>
        <Button
          type="primary"
          disabled={!file || !report?.dry_run}
          loading={upload.isPending}
          onClick={() => run(false)}
        >
          {t("fulfilment.shipAll")}
        </Button>
      </Space>
      {failure && (
        <Alert
          type="error"
          showIcon
          role="alert"
          message={failure.errors?.[0]?.message ?? failure.detail ?? t("common.failed")}
          style={{ marginBottom: 16 }}
        />
      )}
      {report && (
        <>
          <Alert
            type={report.failed === 0 ? "success" : "warning"}
            showIcon
            data-testid="batch-summary"
            message={t("fulfilment.summary", { ok: report.succeeded, failed: report.failed })}
            style={{ marginBottom: 16 }}
          />
          <Table<RowResult>
            rowKey="row"
            size="small"
            dataSource={report.rows}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            columns={[
              { title: t("fulfilment.row"), dataIndex: "row", width: 80 },
              { title: t("orders.orderNo"), dataIndex: "order_no" },
              {
                title: t("fulfilment.result"),
                render: (_, r) =>
                  r.ok ? (
                    <Tag color="green">
                      {report.dry_run ? t("fulfilment.ok") : t("fulfilment.shippedOk")}
                    </Tag>
                  ) : (
                    <Typography.Text type="danger">{r.detail ?? r.code}</Typography.Text>
                  ),
              },
            ]}
          />
        </>
      )}
    </Modal>
  );
}
