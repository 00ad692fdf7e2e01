import { useMutation, useQueryClient } from "@tanstack/react-query";
import {
  Button,
  Card,
  Empty,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Space,
  Spin,
  Tree,
  TreeSelect,
  Typography,
} from "antd";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { isProblem, withCodeFields } from "../../api/problem";
import type { Category, CategoryRequest } from "../../api/types";
import { type ShownProblem, useProblemForm } from "../../api/useProblemForm";
import { ProblemAlert } from "../../components/ProblemAlert";
import { useAuth } from "../auth/AuthContext";
import { catalogKeys, deleteCategory, saveCategory, useCategories } from "./api";
import { type CategoryNode, categoryTree, parentChoices } from "./categoryTree";

const FIELDS = ["name", "parent_id", "sort_order"];
const CODES = { category_name_taken: "name" };

/** What the modal does: add under a parent (or at the top), or edit (rename, move, reorder). */
type Editing = { kind: "add"; parentId: number | null } | { kind: "edit"; category: Category };

/** The category tree: add, rename, move and delete (only empty categories can go). */
export function CategoriesPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const write = can("catalog.write");
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<Editing | null>(null);
  const [collapsed, setCollapsed] = useState<Set<number>>(new Set());
  const [deleteProblem, setDeleteProblem] = useState<ShownProblem | null>(null);
  const [form] = Form.useForm<CategoryRequest>();
  const problem = useProblemForm(form, FIELDS, t("common.failed"));

  const categories = useCategories();
  const all = categories.data ?? [];
  const tree = useMemo(() => categoryTree(categories.data ?? []), [categories.data]);
  const refresh = () => queryClient.invalidateQueries({ queryKey: catalogKeys.categories });

  const save = useMutation({
    mutationFn: (body: CategoryRequest) =>
      saveCategory(editing?.kind === "edit" ? editing.category.id : undefined, body),
    onMutate: problem.clear,
    onError: (error: unknown) => problem.show(withCodeFields(error, CODES)),
    onSuccess: async (saved) => {
      setEditing(null);
      if (saved.parent_id != null) {
        const parent = saved.parent_id;
        setCollapsed((c) => new Set([...c].filter((id) => id !== parent)));
      }
      await refresh();
    },
  });

  const remove = useMutation({
    mutationFn: deleteCategory,
    onMutate: () => setDeleteProblem(null),
    onError: (error: unknown) =>
      setDeleteProblem({
        title: isProblem(error) ? error.detail || error.title : t("common.failed"),
        details: [],
      }),
    onSettled: refresh,
  });

  const open = (next: Editing) => {
    problem.clear();
    setEditing(next);
    form.resetFields();
    form.setFieldsValue(
      next.kind === "add"
        ? { name: "", parent_id: next.parentId, sort_order: 0 }
        : {
            name: next.category.name,
            parent_id: next.category.parent_id ?? null,
            sort_order: next.category.sort_order,
          },
    );
  };

  const title = (node: CategoryNode) => (
    <Space data-testid={`category-${node.category.name}`}>
      <span>{node.title}</span>
      {write && (
        <>
          <Button
            size="small"
            type="link"
            onClick={() => open({ kind: "add", parentId: node.key })}
          >
            {t("categories.addChild")}
          </Button>
          <Button
            size="small"
            type="link"
            onClick={() => open({ kind: "edit", category: node.category })}
          >
            {t("common.edit")}
          </Button>
          <Popconfirm
            title={t("categories.deleteConfirm", { name: node.title })}
            onConfirm={() => remove.mutate(node.key)}
          >
            <Button size="small" type="link" danger>
              {t("common.delete")}
            </Button>
          </Popconfirm>
        </>
      )}
    </Space>
  );

  return (
    <>
      <Space style={{ width: "100%", justifyContent: "space-between" }}>
        <Typography.Title level={2}>{t("categories.title")}</Typography.Title>
        {write && (
          <Button type="primary" onClick={() => open({ kind: "add", parentId: null })}>
            {t("categories.addRoot")}
          </Button>
        )}
      </Space>
      <ProblemAlert problem={deleteProblem} testId="category-error" />
      <Card>
        {categories.isPending && <Spin />}
        {!categories.isPending && tree.length === 0 && (
          <Empty description={t("categories.empty")} />
        )}
        {tree.length > 0 && (
          <Tree<CategoryNode>
            blockNode
            selectable={false}
            treeData={tree}
            expandedKeys={all.map((c) => c.id).filter((id) => !collapsed.has(id))}
            onExpand={(keys) =>
              setCollapsed(new Set(all.map((c) => c.id).filter((id) => !keys.includes(id))))
            }
            titleRender={title}
          />
        )}
      </Card>
      <Modal
        open={editing !== null}
        title={editing?.kind === "edit" ? t("categories.edit") : t("categories.add")}
        okText={t("common.save")}
        confirmLoading={save.isPending}
        onOk={() => form.submit()}
        onCancel={() => setEditing(null)}
        forceRender
      >
        <ProblemAlert problem={problem.problem} />
        <Form<CategoryRequest>
          name="category"
          form={form}
          layout="vertical"
          onFinish={(values) =>
            save.mutate({ ...values, name: values.name, parent_id: values.parent_id ?? null })
          }
        >
          <Form.Item
            label={t("categories.name")}
            name="name"
            rules={[{ required: true, message: t("common.required") }]}
          >
            <Input maxLength={50} />
          </Form.Item>
          <Form.Item
            label={t("categories.parent")}
            name="parent_id"
            extra={t("categories.parentHelp")}
          >
            <TreeSelect
              allowClear
              treeDefaultExpandAll
              placeholder={t("categories.top")}
              treeData={parentChoices(
                all,
                editing?.kind === "edit" ? editing.category.id : undefined,
              )}
            />
          </Form.Item>
          <Form.Item label={t("categories.sortOrder")} name="sort_order">
            <InputNumber precision={0} min={-10000} max={10000} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
