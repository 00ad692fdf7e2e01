import { useMutation, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  Button,
  Card,
  Form,
  Input,
  InputNumber,
  Select,
  Space,
  Spin,
  Table,
  Tag,
  Typography,
} from "antd";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useParams } from "react-router";
import type { Media, Product, ProductInput } from "../../api/types";
import { useProblemForm } from "../../api/useProblemForm";
import { ProblemAlert } from "../../components/ProblemAlert";
import { useAuth } from "../auth/AuthContext";
import { useTiers } from "../distribution/api";
import { StockAdjustButton } from "../inventory/StockAdjustButton";
import { useFreightTemplates } from "../logistics/api";
import {
  catalogKeys,
  createProduct,
  setProductImages,
  updateProduct,
  useCategories,
  useProduct,
} from "./api";
import { ProductGallery } from "./ProductGallery";
import { buildMatrix, fromProduct, type MatrixRow, type Spec } from "./productMatrix";
import {
  type Basics,
  freightTemplateOf,
  NO_FREIGHT_TEMPLATE,
  patchOf,
  sameList,
  skuInputOf,
} from "./productPatch";

const BASIC_FIELDS = [
  "name",
  "subtitle",
  "category_id",
  "freight_template_id",
  "description_html",
  "tags",
] as const;

/** Creates a product, or edits the one named in the path. */
export function ProductEditorPage() {
  const { t } = useTranslation();
  const { productId } = useParams();
  const id = productId === undefined ? undefined : Number(productId);
  const product = useProduct(id);
  if (id === undefined) return <ProductEditor />;
  if (product.isPending) return <Spin />;
  if (!product.data) {
    return <Alert type="error" showIcon message={t("products.loadFailed")} />;
  }
  return <ProductEditor key={product.data.id} product={product.data} />;
}

function ProductEditor({ product }: { product?: Product }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { can } = useAuth();
  const readTemplates = can("merchant.read");
  const [form] = Form.useForm<Basics>();
  const initial = useMemo(
    () =>
      product
        ? fromProduct(product.spec_names, product.skus)
        : { specs: [] as Spec[], rows: buildMatrix([], [], "SKU") },
    [product],
  );
  const [specs, setSpecs] = useState<Spec[]>(initial.specs);
  const [rows, setRows] = useState<MatrixRow[]>(initial.rows);
  const [gallery, setGallery] = useState<Media[]>(product?.images ?? []);
  const problem = useProblemForm(form, BASIC_FIELDS, t("common.failed"));
  // Specifications and the set of SKUs change only before the product passes review.
  const structure = !product || product.status === "draft" || product.status === "rejected";
  const reviewed = product?.status === "listed" || product?.status === "unlisted";

  const categories = useCategories();
  // The store's freight templates. Without the permission to read them the choice is shown as
  // stored and cannot change.
  const freightTemplates = useFreightTemplates({ enabled: readTemplates });
  // A column per distributor tier. Without the permission to read tiers there are no columns,
  // and stored purchase prices are kept as they are.
  const tiers = useTiers({ enabled: can("distributors.read") });

  const changeSpecs = (next: Spec[]) => {
    setSpecs(next);
    setRows((previous) => buildMatrix(next, previous, "SKU"));
  };
  const updateRow = (key: string, patch: Partial<MatrixRow>) =>
    setRows((previous) => previous.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  const usedNames = specs
    .filter((s) => s.name.trim() && s.values.length > 0)
    .map((s) => s.name.trim());

  const setImages = (productId: number) =>
    setProductImages(
      productId,
      gallery.map((m) => m.id),
    );

  const save = useMutation({
    mutationFn: async (basics: Basics) => {
      if (!product) {
        const body: ProductInput = {
          name: basics.name,
          subtitle: basics.subtitle ?? "",
          description_html: basics.description_html ?? "",
          category_id: basics.category_id ?? null,
          freight_template_id: freightTemplateOf(basics.freight_template_id),
          tags: basics.tags ?? [],
          spec_names: usedNames,
          skus: rows.map(skuInputOf),
        } as ProductInput;
        const created = await createProduct(body);
        if (gallery.length > 0) await setImages(created.id);
        return;
      }
      const patch = patchOf(product, basics, usedNames, rows, structure);
      if (patch) await updateProduct(product.id, patch);
      const ids = gallery.map((m) => m.id);
      if (
        !sameList(
          ids,
          product.images.map((m) => m.id),
        )
      )
        await setImages(product.id);
    },
    onMutate: problem.clear,
    onError: problem.show,
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: catalogKeys.products });
      await queryClient.invalidateQueries({ queryKey: catalogKeys.product });
      navigate("/products");
    },
  });

  // The live stock of stored SKUs: an adjustment made here refreshes the product.
  const liveStock = new Map(product?.skus.map((s) => [s.id, s.stock]) ?? []);

  const specColumns = usedNames.map((name) => ({
    title: name,
    key: `spec-${name}`,
    render: (_: unknown, row: MatrixRow) => row.spec_values[name],
  }));

  return (
    <>
      <Space align="baseline">
        <Typography.Title level={2}>
          {product ? t("products.edit") : t("products.create")}
        </Typography.Title>
        {product && <Tag>{t(`products.statuses.${product.status}`)}</Tag>}
      </Space>
      {reviewed && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 16 }}
          message={t("products.reviewedNotice")}
          data-testid="reviewed-notice"
        />
      )}
      <ProblemAlert problem={problem.problem} testId="product-error" />
      <Form
        form={form}
        layout="vertical"
        onFinish={(basics) => save.mutate(basics)}
        initialValues={
          product
            ? {
                name: product.name,
                subtitle: product.subtitle,
                category_id: product.category_id ?? undefined,
                freight_template_id: product.freight_template_id ?? NO_FREIGHT_TEMPLATE,
                description_html: product.description_html,
                tags: product.tags,
              }
            : { tags: [], freight_template_id: NO_FREIGHT_TEMPLATE }
        }
      >
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
          <Form.Item label={t("products.freightTemplate")} name="freight_template_id">
            <Select
              aria-label={t("products.freightTemplate")}
              disabled={!readTemplates}
              options={[
                { value: NO_FREIGHT_TEMPLATE, label: t("products.defaultFreightTemplate") },
                ...(freightTemplates.data ?? []).map((ft) => ({ value: ft.id, label: ft.name })),
              ]}
            />
          </Form.Item>
          <Form.Item label={t("products.tags")} name="tags">
            <Select mode="tags" aria-label={t("products.tags")} tokenSeparators={[",", "，"]} />
          </Form.Item>
          <Form.Item label={t("products.description")} name="description_html">
            <Input.TextArea rows={4} />
          </Form.Item>
        </Card>
        <ProductGallery images={gallery} onChange={setGallery} />
        <Card title={t("products.specs")} style={{ marginBottom: 16 }}>
          {structure ? (
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
          ) : (
            <Space direction="vertical">
              {specs.map((spec) => (
                <Typography.Text key={spec.name}>
                  {spec.name}: {spec.values.join(" / ")}
                </Typography.Text>
              ))}
              <Typography.Text type="secondary">{t("products.structureLocked")}</Typography.Text>
            </Space>
          )}
        </Card>
        <Card title={t("products.skus")} style={{ marginBottom: 16 }}>
          <Table<MatrixRow>
            rowKey="key"
            dataSource={rows}
            pagination={false}
            scroll={{ x: true }}
            data-testid="sku-matrix"
            columns={[
              ...specColumns,
              {
                title: t("products.code"),
                key: "code",
                render: (_: unknown, row) =>
                  structure ? (
                    <Input
                      value={row.code}
                      aria-label={t("products.code")}
                      onChange={(e) => updateRow(row.key, { code: e.target.value })}
                    />
                  ) : (
                    row.code
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
                    style={{ minWidth: 110 }}
                  />
                ),
              },
              {
                title: t("products.stock"),
                key: "stock",
                render: (_: unknown, row) =>
                  row.id === undefined ? (
                    <InputNumber
                      min={0}
                      precision={0}
                      aria-label={t("products.stock")}
                      value={row.stock}
                      onChange={(v) => updateRow(row.key, { stock: typeof v === "number" ? v : 0 })}
                    />
                  ) : (
                    <Space>
                      <span data-testid="sku-stock">{liveStock.get(row.id) ?? row.stock}</span>
                      {can("inventory.write") && (
                        <StockAdjustButton skuId={row.id} skuCode={row.code} />
                      )}
                    </Space>
                  ),
              },
              {
                title: t("products.lowStockThreshold"),
                key: "threshold",
                render: (_: unknown, row) => (
                  <InputNumber
                    min={0}
                    precision={0}
                    aria-label={t("products.lowStockThreshold")}
                    value={row.low_stock_threshold ?? null}
                    onChange={(v) =>
                      updateRow(row.key, {
                        low_stock_threshold: typeof v === "number" ? v : null,
                      })
                    }
                  />
                ),
              },
              {
                title: t("products.barcode"),
                key: "barcode",
                render: (_: unknown, row) => (
                  <Input
                    aria-label={t("products.barcode")}
                    value={row.barcode ?? ""}
                    onChange={(e) => updateRow(row.key, { barcode: e.target.value })}
                    style={{ minWidth: 140 }}
                  />
                ),
              },
              {
                title: t("products.weight"),
                key: "weight",
                render: (_: unknown, row) => (
                  <InputNumber
                    min={0}
                    max={1_000_000}
                    precision={0}
                    aria-label={t("products.weight")}
                    value={row.weight_grams ?? 0}
                    onChange={(v) =>
                      updateRow(row.key, { weight_grams: typeof v === "number" ? v : 0 })
                    }
                  />
                ),
              },
              {
                title: t("products.presaleQuantity"),
                key: "presale",
                render: (_: unknown, row) => (
                  <InputNumber
                    min={0}
                    precision={0}
                    aria-label={t("products.presaleQuantity")}
                    value={row.presale_quantity ?? 0}
                    onChange={(v) =>
                      updateRow(row.key, { presale_quantity: typeof v === "number" ? v : 0 })
                    }
                  />
                ),
              },
              {
                title: t("products.presaleShipDate"),
                key: "ship-date",
                render: (_: unknown, row) => (
                  <Input
                    type="date"
                    aria-label={t("products.presaleShipDate")}
                    value={row.presale_ship_date ?? ""}
                    onChange={(e) => updateRow(row.key, { presale_ship_date: e.target.value })}
                    style={{ minWidth: 150 }}
                  />
                ),
              },
              ...((tiers.data ?? []).length > 0
                ? [
                    {
                      title: t("products.distributorPrices"),
                      key: "tiers",
                      children: (tiers.data ?? []).map((tier) => ({
                        title: tier.name,
                        key: `tier-${tier.id}`,
                        render: (_: unknown, row: MatrixRow) => (
                          <Input
                            prefix="¥"
                            inputMode="decimal"
                            aria-label={`${t("products.purchasePrice")} ${tier.name} ${row.code}`}
                            value={row.distributor_prices?.[tier.id] ?? ""}
                            onChange={(e) =>
                              updateRow(row.key, {
                                distributor_prices: {
                                  ...row.distributor_prices,
                                  [tier.id]: e.target.value,
                                },
                              })
                            }
                            style={{ minWidth: 110 }}
                          />
                        ),
                      })),
                    },
                  ]
                : []),
            ]}
          />
        </Card>
        <Button type="primary" htmlType="submit" loading={save.isPending}>
          {t("common.save")}
        </Button>
      </Form>
    </>
  );
}
