import { Alert, Form, Input, InputNumber, Modal, Select, Table } from "antd";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import type { OrderDetail, OrderLine, PackageLine } from "../../api/types";
import { useCarriers } from "../logistics/api";
import { useOrderAction } from "./api";
import { leftToShip } from "./ordersView";

interface ShipValues {
  carrier_id: number;
  tracking_no: string;
  quantities: Record<string, number | null>;
}

/** Sends a package of a paid order: a carrier, a tracking number, and what of each line it holds
 * (everything left to ship unless changed). */
export function ShipDialog({
  order,
  open,
  onClose,
}: {
  order: OrderDetail;
  open: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const carriers = useCarriers();
  const { ship } = useOrderAction(order.id);
  const [form] = Form.useForm<ShipValues>();
  const lines = order.lines.filter((l) => leftToShip(l) > 0);
  // What is left changes with every package: each opening starts from it.
  useEffect(() => {
    if (open) {
      form.setFieldsValue({
        quantities: Object.fromEntries(
          order.lines.filter((l) => leftToShip(l) > 0).map((l) => [l.line_no, leftToShip(l)]),
        ),
      });
    }
  }, [open, order, form]);
  const failure = ship.error as { detail?: string; errors?: { message?: string }[] } | null;

  const submit = (values: ShipValues) => {
    const packed: PackageLine[] = lines
      .map((l) => ({ line_no: l.line_no, quantity: values.quantities?.[l.line_no] ?? 0 }))
      .filter((l) => l.quantity > 0);
    ship.mutate(
      { carrier_id: values.carrier_id, tracking_no: values.tracking_no, lines: packed },
      {
        onSuccess: () => {
          form.resetFields();
          ship.reset();
          onClose();
        },
      },
    );
  };

  return (
    <Modal
      open={open}
      title={t("fulfilment.ship")}
      onCancel={onClose}
      okText={t("fulfilment.ship")}
      okButtonProps={{ loading: ship.isPending }}
      onOk={() => form.submit()}
      width={640}
      destroyOnHidden
    >
      {failure && (
        <Alert
          type="error"
          showIcon
          role="alert"
          message={failure.errors?.[0]?.message ?? failure.detail ?? t("common.failed")}
          style={{ marginBottom: 16 }}
        />
      )}
      <Form<ShipValues>
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{
          quantities: Object.fromEntries(lines.map((l) => [l.line_no, leftToShip(l)])),
        }}
      >
        <Form.Item
          name="carrier_id"
          label={t("fulfilment.carrier")}
          rules={[{ required: true, message: t("common.required") }]}
        >
          <Select
            loading={carriers.isPending}
            options={(carriers.data ?? [])
              .filter((c) => c.enabled)
              .map((c) => ({ value: c.id, label: c.name }))}
          />
        </Form.Item>
        <Form.Item
          name="tracking_no"
          label={t("fulfilment.trackingNo")}
          rules={[
            { required: true, message: t("common.required") },
            { pattern: /^[A-Za-z0-9-]{4,40}$/, message: t("fulfilment.trackingNoRule") },
          ]}
        >
          <Input maxLength={40} />
        </Form.Item>
        <Table<OrderLine>
          rowKey="line_no"
          size="small"
          pagination={false}
          dataSource={lines}
          columns={[
            { title: t("orders.product"), dataIndex: "product_name" },
            { title: "SKU", dataIndex: "sku_code" },
            { title: t("fulfilment.left"), render: (_, l) => leftToShip(l) },
            {
              title: t("fulfilment.inPackage"),
              render: (_, l) => (
                <Form.Item name={["quantities", String(l.line_no)]} noStyle>
                  <InputNumber
                    min={0}
                    max={leftToShip(l)}
                    precision={0}
                    aria-label={`${t("fulfilment.inPackage")} ${l.sku_code}`}
                  />
                </Form.Item>
              ),
            },
          ]}
        />
      </Form>
    </Modal>
  );
}
