import { useMutation, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Empty,
  Form,
  Input,
  Row,
  Select,
  Space,
  Spin,
  Switch,
  Typography,
} from "antd";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { isProblem } from "../../api/problem";
import { useProblemForm } from "../../api/useProblemForm";
import { ProblemAlert } from "../../components/ProblemAlert";
import { useAuth } from "../auth/AuthContext";
import {
  qrImage,
  recruitmentKeys,
  saveApplicationForm,
  useApplicationForm,
  useQrPreview,
  useRecruitLink,
} from "./api";
import {
  EDITOR_FIELDS,
  type EditorValues,
  emptyRow,
  FIELD_TYPES,
  onEditorFields,
  toEditorRows,
  toFormRequest,
} from "./recruitForm";

/** Recruitment: the merchant's recruit link and QR code, and the application form. */
export function RecruitmentPage() {
  const { t } = useTranslation();
  return (
    <>
      <Typography.Title level={2}>{t("recruitment.title")}</Typography.Title>
      <Typography.Paragraph type="secondary">{t("recruitment.help")}</Typography.Paragraph>
      <Space orientation="vertical" size="large" style={{ width: "100%" }}>
        <LinkCard />
        <FormCard />
      </Space>
    </>
  );
}

/** Saves a fetched image under `name`, as a download link would. */
function download(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function LinkCard() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const link = useRecruitLink();
  // The server's own SVG, so the preview is exactly what is downloaded and printed.
  const preview = useQrPreview(link.data?.url);
  const [previewUrl, setPreviewUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!preview.data) return;
    const url = URL.createObjectURL(preview.data);
    setPreviewUrl(url);
    return () => URL.revokeObjectURL(url);
  }, [preview.data]);
  const save = useMutation({
    mutationFn: qrImage,
    onSuccess: (blob, format) => download(blob, `recruit-qr.${format}`),
    onError: () => message.error(t("common.failed")),
  });

  const noAddress = isProblem(link.error) && link.error.code === "shop_address_required";
  return (
    <Card title={t("recruitment.linkTitle")}>
      {link.isPending && <Spin />}
      {noAddress && (
        <Alert
          type="warning"
          showIcon
          data-testid="recruit-no-address"
          message={t("recruitment.noAddress")}
          action={<Link to="/store">{t("recruitment.toStore")}</Link>}
        />
      )}
      {link.isError && !noAddress && <Alert type="error" showIcon message={t("common.failed")} />}
      {link.data && (
        <Row gutter={24} align="middle">
          <Col flex="none">
            <div style={{ width: 180, height: 180, border: "1px solid #f0f0f0", borderRadius: 8 }}>
              {previewUrl ? (
                <img
                  src={previewUrl}
                  alt={t("recruitment.qrAlt")}
                  data-testid="recruit-qr"
                  width={180}
                  height={180}
                />
              ) : (
                <Spin style={{ margin: 80 }} />
              )}
            </div>
          </Col>
          <Col flex="auto">
            <Typography.Paragraph type="secondary">
              {t("recruitment.linkHelp")}
            </Typography.Paragraph>
            <Typography.Paragraph copyable data-testid="recruit-link" strong>
              {link.data.url}
            </Typography.Paragraph>
            <Space>
              <Button
                onClick={() => save.mutate("png")}
                loading={save.isPending && save.variables === "png"}
              >
                {t("recruitment.downloadPng")}
              </Button>
              <Button
                onClick={() => save.mutate("svg")}
                loading={save.isPending && save.variables === "svg"}
              >
                {t("recruitment.downloadSvg")}
              </Button>
            </Space>
          </Col>
        </Row>
      )}
    </Card>
  );
}

function FormCard() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useAuth();
  const editable = can("distributors.manage");
  const queryClient = useQueryClient();
  const [form] = Form.useForm<EditorValues>();
  const problem = useProblemForm(form, EDITOR_FIELDS, t("common.failed"));
  const saved = useApplicationForm();
  useEffect(() => {
    if (saved.data) form.setFieldsValue({ fields: toEditorRows(saved.data.fields) });
  }, [saved.data, form]);

  const save = useMutation({
    mutationFn: (values: EditorValues) => saveApplicationForm(toFormRequest(values.fields ?? [])),
    onMutate: problem.clear,
    onError: (error: unknown) => problem.show(onEditorFields(error)),
    onSuccess: (form) => {
      queryClient.setQueryData(recruitmentKeys.form, form);
      message.success(t("recruitment.formSaved"));
    },
  });

  return (
    <Card title={t("recruitment.formTitle")}>
      <Typography.Paragraph type="secondary">{t("recruitment.formHelp")}</Typography.Paragraph>
      {saved.isPending && <Spin />}
      <ProblemAlert problem={problem.problem} testId="form-error" />
      <Form<EditorValues>
        name="application-form"
        form={form}
        layout="vertical"
        disabled={!editable}
        initialValues={{ fields: [] }}
        onFinish={(values) => save.mutate(values)}
      >
        <Form.List name="fields">
          {(rows, { add, remove, move }) => (
            <>
              {rows.length === 0 && (
                <Empty description={t("recruitment.noFields")} style={{ marginBottom: 16 }} />
              )}
              {rows.map((row, index) => (
                <Card
                  key={row.key}
                  size="small"
                  style={{ marginBottom: 12 }}
                  data-testid={`form-field-${index}`}
                  title={t("recruitment.fieldN", { n: index + 1 })}
                  extra={
                    editable && (
                      <Space>
                        <Button
                          size="small"
                          disabled={index === 0}
                          onClick={() => move(index, index - 1)}
                        >
                          {t("recruitment.up")}
                        </Button>
                        <Button
                          size="small"
                          disabled={index === rows.length - 1}
                          onClick={() => move(index, index + 1)}
                        >
                          {t("recruitment.down")}
                        </Button>
                        <Button size="small" danger onClick={() => remove(index)}>
                          {t("common.remove")}
                        </Button>
                      </Space>
                    )
                  }
                >
                  <Row gutter={16}>
                    <Col xs={24} md={8}>
                      <Form.Item
                        name={[row.name, "label_zh"]}
                        label={t("recruitment.labelZh")}
                        rules={[
                          { required: true, whitespace: true, message: t("common.required") },
                        ]}
                      >
                        <Input maxLength={40} />
                      </Form.Item>
                    </Col>
                    <Col xs={24} md={8}>
                      <Form.Item
                        name={[row.name, "label_en"]}
                        label={t("recruitment.labelEn")}
                        rules={[
                          { required: true, whitespace: true, message: t("common.required") },
                        ]}
                      >
                        <Input maxLength={80} />
                      </Form.Item>
                    </Col>
                    <Col xs={24} md={8}>
                      <Form.Item
                        name={[row.name, "key"]}
                        label={t("recruitment.key")}
                        extra={t("recruitment.keyHelp")}
                        rules={[
                          { required: true, whitespace: true, message: t("common.required") },
                        ]}
                      >
                        <Input maxLength={32} />
                      </Form.Item>
                    </Col>
                    <Col xs={24} md={8}>
                      <Form.Item name={[row.name, "type"]} label={t("recruitment.type")}>
                        <Select
                          options={FIELD_TYPES.map((type) => ({
                            value: type,
                            label: t(`recruitment.types.${type}`),
                          }))}
                        />
                      </Form.Item>
                    </Col>
                    <Col xs={24} md={4}>
                      <Form.Item
                        name={[row.name, "required"]}
                        label={t("recruitment.required")}
                        valuePropName="checked"
                      >
                        <Switch />
                      </Form.Item>
                    </Col>
                    <Col xs={24} md={12}>
                      <Form.Item
                        noStyle
                        shouldUpdate={(a, b) =>
                          a.fields?.[row.name]?.type !== b.fields?.[row.name]?.type
                        }
                      >
                        {() =>
                          form.getFieldValue(["fields", row.name, "type"]) === "select" && (
                            <Form.Item
                              name={[row.name, "options"]}
                              label={t("recruitment.options")}
                              extra={t("recruitment.optionsHelp")}
                              rules={[
                                { required: true, whitespace: true, message: t("common.required") },
                              ]}
                            >
                              <Input.TextArea rows={3} />
                            </Form.Item>
                          )
                        }
                      </Form.Item>
                    </Col>
                  </Row>
                </Card>
              ))}
              {editable && (
                <Space>
                  <Button onClick={() => add(emptyRow())} disabled={rows.length >= 20}>
                    {t("recruitment.addField")}
                  </Button>
                  <Button type="primary" htmlType="submit" loading={save.isPending}>
                    {t("common.save")}
                  </Button>
                </Space>
              )}
            </>
          )}
        </Form.List>
      </Form>
    </Card>
  );
}
