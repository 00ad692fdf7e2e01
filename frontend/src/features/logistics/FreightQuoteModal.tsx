import { useMutation } from "@tanstack/react-query";
import { Alert, Form, Input, InputNumber, Modal, Space } from "antd";
import { useTranslation } from "react-i18next";
import { withCodeFields } from "../../api/problem";
import { regionCode, regionLabel, useRegions } from "../../api/regions";
import type { FreightTemplate } from "../../api/types";
import { useProblemForm } from "../../api/useProblemForm";
import { ProblemAlert } from "../../components/ProblemAlert";
import { RegionCascader } from "../../components/RegionCascader";
import { quoteFreight } from "./api";

interface QuoteForm {
  region_code: string[];
  items: { quantity: number; weight_grams?: number }[];
  goods_total: string;
}

const FIELDS = ["region_code", "items[].quantity", "items[].weight_grams", "goods_total"];
/** A restricted region is refused without a field; it is about the address. */
const CODES = { region_not_delivered: "region_code" };

/** What a shipment would cost under a template, computed by the server as checkout will. */
export function FreightQuoteModal({
  template,
  onClose,
}: {
  template: FreightTemplate;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const regions = useRegions();
  const [form] = Form.useForm<QuoteForm>();
  const problem = useProblemForm(form, FIELDS, t("common.failed"));

  const quote = useMutation({
    mutationFn: (values: QuoteForm) =>
      quoteFreight(template.id, {
        region_code: regionCode(values.region_code ?? []),
        items: values.items.map((i) => ({
          quantity: i.quantity,
          weight_grams: template.mode === "weight" ? (i.weight_grams ?? 0) : 0,
        })),
        goods_total: (values.goods_total ?? "").trim() || "0",
      }),
    onMutate: problem.clear,
    onError: (error: unknown) => problem.show(withCodeFields(error, CODES)),
  });

  const result = quote.data;
  return (
    <Modal
      open
      title={t("logistics.quoteTitle", { name: template.name })}
      okText={t("logistics.quote")}
      confirmLoading={quote.isPending}
      onOk={() => form.submit()}
      onCancel={onClose}
    >
      <ProblemAlert problem={problem.problem} />
      <Form<QuoteForm>
        name="freight-quote"
        form={form}
        layout="vertical"
        initialValues={{ items: [{ quantity: 1, weight_grams: 500 }], goods_total: "0" }}
        onFinish={(values) => quote.mutate(values)}
      >
        <Form.Item
          label={t("logistics.destination")}
          name="region_code"
          rules={[{ required: true, message: t("common.required") }]}
        >
          <RegionCascader />
        </Form.Item>
        <Space>
          <Form.Item label={t("logistics.quantity")} name={["items", 0, "quantity"]}>
            <InputNumber min={1} precision={0} />
          </Form.Item>
          {template.mode === "weight" && (
            <Form.Item label={t("logistics.pieceWeight")} name={["items", 0, "weight_grams"]}>
              <InputNumber min={0} precision={0} addonAfter={t("logistics.units.weight")} />
            </Form.Item>
          )}
          <Form.Item label={t("logistics.goodsTotal")} name="goods_total">
            <Input prefix="¥" style={{ width: 140 }} />
          </Form.Item>
        </Space>
      </Form>
      {result && (
        <Alert
          type="success"
          showIcon
          data-testid="freight-quote"
          message={t("logistics.quoteResult", { freight: result.freight })}
          description={[
            t("logistics.quoteUnits", {
              units: result.chargeable_units,
              unit: t(`logistics.units.${template.mode}`),
            }),
            result.free_shipping ? t("logistics.quoteFree") : null,
            result.override_region
              ? t("logistics.quoteOverride", {
                  region: regionLabel(regions.data, result.override_region),
                })
              : null,
          ]
            .filter(Boolean)
            .join(" ")}
        />
      )}
    </Modal>
  );
}
