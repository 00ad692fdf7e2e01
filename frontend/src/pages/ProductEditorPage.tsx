import { useMutation, useQuery } from "@tanstack/react-query";
import { Button, Card, Form, Input, InputNumber, Select, Space, Table, Typography } from "antd";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { api } from "../api/client";
import type { components } from "../api/schema";
import { useProblemForm } from "../api/useProblemForm";
import { ProblemAlert } from "./ProblemAlert";
import { buildMatrix, type MatrixRow, type Spec } from "./productMatrix";

type ProductInput = components["schemas"]["ProductInput"];

interface Basics {
  name: string;
  subtitle?: string;
  category_id?: number;
  description_html?: string;
}

/** A new product: basics, up to three specifications, and the SKU matrix they make. */
export function ProductEditorPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [form] = Form.useForm<Basics>();
  const [specs, setSpecs] = useState<Spec[]>([]);
  const [rows, setRows] = useState<MatrixRow[]>(() => buildMatrix([], [], "SKU"));
  const problem = useProblemForm(form, ["name", "subtitle", "category_id"], t("common.failed"));

  const categories = useQuery({
    queryKey: ["categories"],
    queryFn: async () => {
      const { data, error } = await api.GET("/api/v1/categories");
      if (data) return data;
      throw error;
    },
  });

  const changeSpecs = (next: Spec[]) => {
    setSpecs(next);
    setRows((previous) => buildMatrix(next, previous, "SKU"));
  };
  const updateRow = (key: string, patch: Partial<MatrixRow>) =>
    setRows((previous) => previous.map((r) => (r.key === key ? { ...r, ...patch } : r)));

  const create = useMutation({
    mutationFn: async (body: ProductInput) => {
      const { data, error } = await api.POST("/api/v1/products", { body });
      if (data) return data;
      throw error;
    },
    onMutate: problem.clear,
    onError: problem.show,
    onSuccess: () => navigate("/products"),
  });

  const submit = (basics: Basics) => {
    const used = specs.filter((s) => s.name.trim() && s.values.length > 0);
    create.mutate({
      name: basics.name,
      subtitle: basics.subtitle ?? "",
      description_html: basics.description_html ?? "",
      category_id: basics.category_id ?? null,
      spec_names: used.map((s) => s.name.trim()),
      skus: rows.map((r) => ({
        code: r.code,
        spec_values: r.spec_values,
        retail_price: r.retail_price,
        stock: r.stock,
      })),
    } as ProductInput);
  };

  const specColumns = useMemo(
    () =>
      specs
        .filter((s) => s.name.trim() && s.values.length > 0)
        .map((s) => ({
          title: s.name,
          key: `spec-${s.name}`,
          render: (_: unknown, row: MatrixRow) => row.spec_values[s.name.trim()],
        })),
    [specs],
  );

  return (
    <>
      <Typography.Title level={2}>{t("products.create")}</Typography.Title>
      <ProblemAlert problem={problem.problem} testId="product-error" />
      <Form form={form} layout="vertical" onFinish={submit}>
        <Card title={t("products.basics")} style={{ marginBottom: 16 }}>
          <Form.Item
            label={t("products.name")}
            name="name"
            rules={[{ required: true, message: t("common.required") }]}
          >
            <Input />
          </Form.Item>
          <Form.Item label={t("products.subtitle")} name="subtitle">
            <Input />
          </Form.Item>
          <Form.Item label={t("products.category")} name="category_id">
            <Select
              allowClear
              options={(categories.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
            />
          </Form.Item>
          <Form.Item label={t("products.description")} name="description_html">
            <Input.TextArea rows={4} />
          </Form.Item>
        </Card>
        <Card title={t("products.specs")} style={{ marginBottom: 16 }}>
          <Space direction="vertical" style={{ width: "100%" }}>
            {specs.map((spec, index) => (
              <Space key={`spec-${index.toString()}`} wrap>
                <Input
                  placeholder={t("products.specName")}
                  aria-label={`${t("products.specName")} ${index + 1}`}
                  value={spec.name}
                  onChange={(e) =>
                    changeSpecs(
                      specs.map((s, i) => (i === index ? { ...s, name: e.target.value } : s)),
                    )
                  }
                  style={{ width: 160 }}
                />
                <Select
                  mode="tags"
                  placeholder={t("products.specValues")}
                  aria-label={`${t("products.specValues")} ${index + 1}`}
                  value={spec.values}
                  onChange={(values: string[]) =>
                    changeSpecs(specs.map((s, i) => (i === index ? { ...s, values } : s)))
                  }
                  style={{ minWidth: 320 }}
                  tokenSeparators={[",", "，"]}
                />
                <Button onClick={() => changeSpecs(specs.filter((_, i) => i !== index))}>
                  {t("products.removeSpec")}
                </Button>
              </Space>
            ))}
            {specs.length < 3 && (
              <Button onClick={() => changeSpecs([...specs, { name: "", values: [] }])}>
                {t("products.addSpec")}
              </Button>
            )}
          </Space>
        </Card>
        <Card title={t("products.skus")} style={{ marginBottom: 16 }}>
          <Table<MatrixRow>
            rowKey="key"
            dataSource={rows}
            pagination={false}
            data-testid="sku-matrix"
            columns={[
              ...specColumns,
              {
                title: t("products.code"),
                key: "code",
                render: (_: unknown, row) => (
                  <Input
                    value={row.code}
                    onChange={(e) => updateRow(row.key, { code: e.target.value })}
                  />
                ),
              },
              {
                title: t("products.retailPrice"),
                key: "price",
                render: (_: unknown, row) => (
                  <Input
                    prefix="¥"
                    inputMode="decimal"
                    aria-label={t("products.retailPrice")}
                    value={row.retail_price}
                    onChange={(e) => updateRow(row.key, { retail_price: e.target.value })}
                  />
                ),
              },
              {
                title: t("products.stock"),
                key: "stock",
                render: (_: unknown, row) => (
                  <InputNumber
                    min={0}
                    precision={0}
                    aria-label={t("products.stock")}
                    value={row.stock}
                    onChange={(v) => updateRow(row.key, { stock: typeof v === "number" ? v : 0 })}
                  />
                ),
              },
            ]}
          />
        </Card>
        <Button type="primary" htmlType="submit" loading={create.isPending}>
          {t("common.save")}
        </Button>
      </Form>
    </>
  );
}
