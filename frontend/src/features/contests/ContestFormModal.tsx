import { useMutation } from "@tanstack/react-query";
import { Button, DatePicker, Form, Input, InputNumber, Modal, Select, Space } from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { isProblem } from "../../api/problem";
import type { Contest, ContestRequest } from "../../api/types";
import type { ShownProblem } from "../../api/useProblemForm";
import { ProblemAlert } from "../../components/ProblemAlert";
import { saveContest } from "./api";
import { contestFormErrors, METRICS, type PrizeValues, toRequest, toValues } from "./contestsView";

interface FormValues {
  name: string;
  description?: string;
  metric: ContestRequest["metric"];
  period: [Dayjs, Dayjs];
  prizes?: PrizeValues[];
}

const DAY = "YYYY-MM-DD";

function initialValues(contest?: Contest): Partial<FormValues> {
  if (!contest) {
    return {
      metric: "sales",
      prizes: [{ rank_from: 1, rank_to: 1, description: "", amount: "" }],
    };
  }
  const values = toValues(contest);
  return { ...values, period: [dayjs(values.period[0]), dayjs(values.period[1])] };
}

/** Creates a contest (a draft), or changes one when `contest` is given. */
export function ContestFormModal({
  open,
  contest,
  onClose,
  onSaved,
}: {
  open: boolean;
  contest?: Contest;
  onClose: () => void;
  onSaved: (contest: Contest) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<FormValues>();
  const [problem, setProblem] = useState<ShownProblem | null>(null);

  const save = useMutation({
    mutationFn: (body: ContestRequest) => saveContest(contest?.id, body),
    onMutate: () => setProblem(null),
    onError: (error) => {
      if (!isProblem(error)) {
        setProblem({ title: t("common.failed"), details: [] });
        return;
      }
      const { fields, other } = contestFormErrors(error);
      form.setFields(fields.map((f) => ({ name: f.name as never, errors: f.errors })));
      setProblem(
        fields.length === 0 || other.length > 0
          ? { title: error.detail || error.title, details: other }
          : null,
      );
    },
    onSuccess: (saved) => {
      form.resetFields();
      onSaved(saved);
    },
  });

  const submit = (values: FormValues) =>
    save.mutate(
      toRequest({
        ...values,
        period: [values.period[0].format(DAY), values.period[1].format(DAY)],
      }),
    );

  return (
    <Modal
      open={open}
      title={contest ? t("contests.edit") : t("contests.create")}
      confirmLoading={save.isPending}
      onOk={() => form.submit()}
      onCancel={onClose}
      width={720}
      destroyOnHidden
    >
      <ProblemAlert problem={problem} testId="contest-form-problem" />
      <Form<FormValues>
        form={form}
        layout="vertical"
        initialValues={initialValues(contest)}
        onFinish={submit}
        preserve={false}
      >
        <Form.Item
          label={t("contests.name")}
          name="name"
          rules={[{ required: true, message: t("common.required") }]}
        >
          <Input maxLength={60} />
        </Form.Item>
        <Form.Item label={t("contests.description")} name="description">
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
        <Space size="large" wrap>
          <Form.Item label={t("contests.metric")} name="metric" rules={[{ required: true }]}>
            <Select
              style={{ width: 160 }}
              options={METRICS.map((m) => ({ value: m, label: t(`metrics.${m}`) }))}
            />
          </Form.Item>
          <Form.Item
            label={t("contests.period")}
            name="period"
            rules={[{ required: true, message: t("common.required") }]}
          >
            <DatePicker.RangePicker data-testid="contest-period" />
          </Form.Item>
        </Space>
        <Form.List name="prizes">
          {(items, { add, remove }) => (
            <>
              {items.map(({ key, name }) => (
                <Space key={key} align="start" wrap>
                  <Form.Item
                    name={[name, "rank_from"]}
                    label={t("contests.rankFrom")}
                    rules={[{ required: true, message: t("common.required") }]}
                  >
                    <InputNumber min={1} max={1000} precision={0} style={{ width: 90 }} />
                  </Form.Item>
                  <Form.Item name={[name, "rank_to"]} label={t("contests.rankTo")}>
                    <InputNumber min={1} max={1000} precision={0} style={{ width: 90 }} />
                  </Form.Item>
                  <Form.Item
                    name={[name, "description"]}
                    label={t("contests.prizeDescription")}
                    rules={[{ required: true, message: t("common.required") }]}
                  >
                    <Input style={{ width: 220 }} maxLength={200} />
                  </Form.Item>
                  <Form.Item name={[name, "amount"]} label={t("contests.prizeAmount")}>
                    <Input style={{ width: 140 }} inputMode="decimal" />
                  </Form.Item>
                  <Form.Item label=" ">
                    <Button onClick={() => remove(name)}>{t("contests.removePrize")}</Button>
                  </Form.Item>
                </Space>
              ))}
              <Button
                type="dashed"
                onClick={() => {
                  const next = (form.getFieldValue("prizes") ?? []).length + 1;
                  add({ rank_from: next, rank_to: next, description: "", amount: "" });
                }}
              >
                {t("contests.addPrize")}
              </Button>
            </>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}
