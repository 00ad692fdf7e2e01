import { useMutation, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Col,
  Input,
  Modal,
  Row,
  Select,
  Space,
  Spin,
  Statistic,
  Typography,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { isProblem } from "../../api/problem";
import type { Sku } from "../../api/types";
import { useAuth } from "../auth/AuthContext";
import { importCodes, inventoryKeys, useCodeSummary, useStockChanged } from "./api";
import { type LineError, lineErrors, parseCodes } from "./virtualCodes";

function skuLabel(sku: Sku): string {
  const spec = Object.values(sku.spec_values).join(" / ");
  return spec ? `${sku.code}（${spec}）` : sku.code;
}

/** Opens the codes (卡密) dialog of a product's virtual SKUs; nothing for a physical product. */
export function VirtualCodesButton({ productName, skus }: { productName: string; skus: Sku[] }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const virtual = skus.filter((s) => s.kind === "virtual");
  if (virtual.length === 0) return null;
  return (
    <>
      <Button size="small" onClick={() => setOpen(true)}>
        {t("codes.open")}
      </Button>
      {open && (
        <VirtualCodesDialog
          productName={productName}
          skus={virtual}
          onClose={() => setOpen(false)}
        />
      )}
    </>
  );
}

/**
 * The code pool of a product's virtual SKUs: how many codes are available (the SKU's stock) and
 * delivered, and an import of new codes, one a line. The server refuses the whole import when
 * any line is bad, and names each bad line.
 */
export function VirtualCodesDialog({
  productName,
  skus,
  onClose,
}: {
  productName: string;
  skus: Sku[];
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { can } = useAuth();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const stockChanged = useStockChanged();
  const [skuId, setSkuId] = useState(skus[0]?.id);
  const [text, setText] = useState("");
  const [failure, setFailure] = useState<{ title: string; errors: LineError[] } | null>(null);

  const summary = useCodeSummary(skuId);

  const parsed = parseCodes(text);
  const upload = useMutation({
    mutationFn: () => importCodes(skuId ?? 0, parsed.codes),
    onMutate: () => setFailure(null),
    onError: (error) => {
      if (!isProblem(error)) {
        setFailure({ title: t("common.failed"), errors: [] });
        return;
      }
      setFailure({
        title: error.detail || error.title,
        errors: lineErrors(error, parsed.lines, (line) => t("codes.lineRef", { line })),
      });
    },
    onSuccess: (result) => {
      message.success(t("codes.imported", { count: result.imported }));
      setText("");
      queryClient.setQueryData(inventoryKeys.codeSummary(result.sku_id), {
        sku_id: result.sku_id,
        available: result.available,
        delivered: result.delivered,
      });
      // The import raised the SKU's stock.
      stockChanged();
    },
  });

  return (
    <Modal
      open
      title={t("codes.title", { name: productName })}
      onCancel={onClose}
      footer={<Button onClick={onClose}>{t("codes.close")}</Button>}
      destroyOnHidden
    >
      <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
        {skus.length > 1 && (
          <Select
            aria-label={t("codes.sku")}
            style={{ width: "100%" }}
            value={skuId}
            onChange={(id) => {
              setSkuId(id);
              setFailure(null);
            }}
            options={skus.map((s) => ({ value: s.id, label: skuLabel(s) }))}
          />
        )}
        {skus.length === 1 && skus[0] && (
          <Typography.Text type="secondary">{skuLabel(skus[0])}</Typography.Text>
        )}
        {summary.isPending ? (
          <Spin />
        ) : summary.isError ? (
          <Alert type="error" showIcon title={t("common.failed")} />
        ) : (
          <Row gutter={16} data-testid="codes-summary">
            <Col span={12}>
              <Statistic title={t("codes.available")} value={summary.data.available} />
            </Col>
            <Col span={12}>
              <Statistic title={t("codes.delivered")} value={summary.data.delivered} />
            </Col>
          </Row>
        )}
        {can("inventory.write") && (
          <>
            <Input.TextArea
              aria-label={t("codes.input")}
              placeholder={t("codes.placeholder")}
              rows={8}
              value={text}
              onChange={(e) => setText(e.target.value)}
              style={{ fontFamily: "monospace" }}
            />
            {failure && (
              <Alert
                type="error"
                showIcon
                role="alert"
                data-testid="codes-errors"
                title={failure.title}
                description={
                  failure.errors.length > 0 && (
                    <ul style={{ margin: 0, paddingInlineStart: 20 }}>
                      {failure.errors.map((e, i) => (
                        // Several errors may name one line; their order is the server's.
                        // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list
                        <li key={i}>
                          {e.line === null
                            ? e.message
                            : t("codes.lineError", { line: e.line, message: e.message })}
                        </li>
                      ))}
                    </ul>
                  )
                }
              />
            )}
            <Space>
              <Button
                type="primary"
                disabled={parsed.codes.length === 0 || skuId === undefined}
                loading={upload.isPending}
                onClick={() => upload.mutate()}
              >
                {t("codes.import", { count: parsed.codes.length })}
              </Button>
              <Typography.Text type="secondary">{t("codes.help")}</Typography.Text>
            </Space>
          </>
        )}
      </Space>
    </Modal>
  );
}
