import { useMutation, useQueryClient } from "@tanstack/react-query";
import { App, Button, Form, Input, InputNumber, Modal } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useProblemForm } from "../../api/useProblemForm";
import { ProblemAlert } from "../../components/ProblemAlert";
import { notificationKeys } from "../notifications/api";
import { adjustStock, useStockChanged } from "./api";

interface Adjustment {
  delta: number;
  reason: string;
}

/**
 * A quick stock adjustment of one SKU (add or remove units with a reason). Afterwards every view
 * of stock and the notification bell refresh, since an adjustment may raise a low-stock alert.
 */
export function StockAdjustButton({
  skuId,
  skuCode,
  onDone,
}: {
  skuId: number;
  skuCode: string;
  onDone?: (stock: number) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const stockChanged = useStockChanged();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<Adjustment>();
  const problem = useProblemForm(form, ["delta", "reason"], t("common.failed"));

  const adjust = useMutation({
    mutationFn: (body: Adjustment) => adjustStock(skuId, body),
    onMutate: problem.clear,
    onError: problem.show,
    onSuccess: (level) => {
      message.success(t("stock.adjusted", { stock: level.stock }));
      setOpen(false);
      form.resetFields();
      // An adjustment may raise a low-stock notification.
      stockChanged();
      void queryClient.invalidateQueries({ queryKey: notificationKeys.all });
      onDone?.(level.stock);
    },
  });

  return (
    <>
      <Button
        size="small"
        onClick={() => setOpen(true)}
        aria-label={`${t("stock.adjust")} ${skuCode}`}
      >
        {t("stock.adjust")}
      </Button>
      <Modal
        open={open}
        title={`${t("stock.adjustTitle")} · ${skuCode}`}
        okText={t("common.save")}
        confirmLoading={adjust.isPending}
        onOk={() => form.submit()}
        onCancel={() => setOpen(false)}
        forceRender
      >
        <ProblemAlert problem={problem.problem} testId="adjust-error" />
        <Form form={form} layout="vertical" onFinish={(values) => adjust.mutate(values)}>
          <Form.Item
            label={t("stock.delta")}
            name="delta"
            extra={t("stock.deltaHelp")}
            rules={[{ required: true, message: t("common.required") }]}
          >
            <InputNumber precision={0} style={{ width: "100%" }} />
          </Form.Item>
          <Form.Item
            label={t("stock.reason")}
            name="reason"
            rules={[{ required: true, message: t("common.required") }]}
          >
            <Input />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
