import { useMutation, useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, Form, Input, Modal, Space, Switch, Table } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { isProblem, withCodeFields } from "../../api/problem";
import { regionCode, regionLabel, regionPath, useRegions } from "../../api/regions";
import type { DeliveryMethodsRequest, PickupPoint, PickupPointRequest } from "../../api/types";
import { useProblemForm } from "../../api/useProblemForm";
import { ProblemAlert } from "../../components/ProblemAlert";
import { RegionCascader } from "../../components/RegionCascader";
import { logisticsKeys, saveDeliveryMethods, savePickupPoint, useDeliveryMethods } from "./api";

/** The pickup point form: the region as a cascader path. */
type PickupForm = Omit<PickupPointRequest, "region_code"> & { region_code: string[] };

const POINT_FIELDS = [
  "name",
  "region_code",
  "address",
  "contact_phone",
  "opening_hours",
  "enabled",
];
const POINT_CODES = { pickup_point_name_taken: "name" };

function pointRequest(point: PickupPoint, enabled: boolean): PickupPointRequest {
  const { id: _id, ...rest } = point;
  return { ...rest, enabled };
}

/** Delivery methods (express, self-pickup) and the pickup points self-pickup needs. */
export function DeliveryPanel({ manage }: { manage: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const regions = useRegions();
  const [methodsForm] = Form.useForm<DeliveryMethodsRequest>();
  const methodsProblem = useProblemForm(
    methodsForm,
    ["express_enabled", "pickup_enabled"],
    t("common.failed"),
  );
  const [editing, setEditing] = useState<PickupPoint | "new" | null>(null);
  const [pointForm] = Form.useForm<PickupForm>();
  const pointProblem = useProblemForm(pointForm, POINT_FIELDS, t("common.failed"));

  const methods = useDeliveryMethods();
  const refresh = () => queryClient.invalidateQueries({ queryKey: logisticsKeys.deliveryMethods });

  const saveMethods = useMutation({
    mutationFn: saveDeliveryMethods,
    onMutate: methodsProblem.clear,
    onError: methodsProblem.show,
    onSuccess: async () => {
      message.success(t("store.saved"));
      await refresh();
    },
  });

  const savePoint = useMutation({ mutationFn: savePickupPoint });

  const open = (point: PickupPoint | "new") => {
    pointProblem.clear();
    setEditing(point);
    pointForm.resetFields();
    pointForm.setFieldsValue(
      point === "new"
        ? { enabled: true, opening_hours: "" }
        : { ...point, region_code: regionPath(point.region_code) },
    );
  };

  const submitPoint = (values: PickupForm) => {
    pointProblem.clear();
    savePoint.mutate(
      {
        id: editing === "new" ? undefined : editing?.id,
        body: { ...values, region_code: regionCode(values.region_code ?? []) },
      },
      {
        onError: (error) => pointProblem.show(withCodeFields(error, POINT_CODES)),
        onSuccess: async () => {
          setEditing(null);
          await refresh();
        },
      },
    );
  };

  const toggle = (point: PickupPoint, enabled: boolean) =>
    savePoint.mutate(
      { id: point.id, body: pointRequest(point, enabled) },
      {
        onError: (error) => message.error(isProblem(error) ? error.detail : t("common.failed")),
        onSettled: refresh,
      },
    );

  return (
    <Space orientation="vertical" size="large" style={{ width: "100%" }}>
      <Card title={t("logistics.methods")}>
        <ProblemAlert problem={methodsProblem.problem} />
        {methods.data && (
          <Form<DeliveryMethodsRequest>
            name="delivery-methods"
            form={methodsForm}
            layout="inline"
            disabled={!manage}
            initialValues={{
              express_enabled: methods.data.express_enabled,
              pickup_enabled: methods.data.pickup_enabled,
            }}
            onFinish={(values) => saveMethods.mutate(values)}
          >
            <Form.Item
              label={t("logistics.express")}
              name="express_enabled"
              valuePropName="checked"
            >
              <Switch />
            </Form.Item>
            <Form.Item label={t("logistics.pickup")} name="pickup_enabled" valuePropName="checked">
              <Switch />
            </Form.Item>
            {manage && (
              <Button type="primary" htmlType="submit" loading={saveMethods.isPending}>
                {t("common.save")}
              </Button>
            )}
          </Form>
        )}
      </Card>
      <Card
        title={t("logistics.pickupPoints")}
        extra={
          manage && <Button onClick={() => open("new")}>{t("logistics.addPickupPoint")}</Button>
        }
      >
        <Table<PickupPoint>
          rowKey="id"
          size="small"
          loading={methods.isPending}
          dataSource={methods.data?.pickup_points ?? []}
          pagination={false}
          columns={[
            { title: t("logistics.pointName"), dataIndex: "name" },
            {
              title: t("logistics.region"),
              dataIndex: "region_code",
              render: (code: string) => regionLabel(regions.data, code),
            },
            { title: t("logistics.address"), dataIndex: "address" },
            { title: t("logistics.phone"), dataIndex: "contact_phone" },
            { title: t("logistics.hours"), dataIndex: "opening_hours" },
            {
              title: t("logistics.enabled"),
              dataIndex: "enabled",
              render: (enabled: boolean, point) => (
                <Switch
                  size="small"
                  checked={enabled}
                  disabled={!manage}
                  aria-label={`${t("logistics.enabled")} ${point.name}`}
                  onChange={(on) => toggle(point, on)}
                />
              ),
            },
            ...(manage
              ? [
                  {
                    title: t("common.actions"),
                    key: "actions",
                    render: (_: unknown, point: PickupPoint) => (
                      <Button size="small" onClick={() => open(point)}>
                        {t("common.edit")}
                      </Button>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>
      <Modal
        open={editing !== null}
        title={editing === "new" ? t("logistics.addPickupPoint") : t("logistics.editPickupPoint")}
        okText={t("common.save")}
        confirmLoading={savePoint.isPending}
        onOk={() => pointForm.submit()}
        onCancel={() => setEditing(null)}
        forceRender
      >
        <ProblemAlert problem={pointProblem.problem} />
        <Form<PickupForm>
          name="pickup-point"
          form={pointForm}
          layout="vertical"
          onFinish={submitPoint}
        >
          <Form.Item
            label={t("logistics.pointName")}
            name="name"
            rules={[{ required: true, message: t("common.required") }]}
          >
            <Input maxLength={50} />
          </Form.Item>
          <Form.Item
            label={t("logistics.region")}
            name="region_code"
            rules={[{ required: true, message: t("common.required") }]}
          >
            <RegionCascader />
          </Form.Item>
          <Form.Item
            label={t("logistics.address")}
            name="address"
            rules={[{ required: true, message: t("common.required") }]}
          >
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item
            label={t("logistics.phone")}
            name="contact_phone"
            rules={[{ required: true, message: t("common.required") }]}
          >
            <Input maxLength={30} />
          </Form.Item>
          <Form.Item label={t("logistics.hours")} name="opening_hours">
            <Input placeholder={t("logistics.hoursExample")} />
          </Form.Item>
          <Form.Item label={t("logistics.enabled")} name="enabled" valuePropName="checked">
            <Switch />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
