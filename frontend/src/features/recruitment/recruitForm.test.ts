import { describe, expect, it } from "vitest";
import { emptyRow, onEditorFields, toEditorRows, toFormRequest } from "./recruitForm";

describe("application form editor", () => {
  it("shows a select's options one per line, and defaults what the API leaves out", () => {
    const rows = toEditorRows([
      {
        key: "channel",
        label_zh: "推广渠道",
        label_en: "Channel",
        type: "select",
        required: true,
        options: ["微信", "抖音"],
      },
      { key: "name", label_zh: "姓名", label_en: "Name", type: "text" },
    ]);
    expect(rows).toEqual([
      {
        key: "channel",
        label_zh: "推广渠道",
        label_en: "Channel",
        type: "select",
        required: true,
        options: "微信\n抖音",
      },
      {
        key: "name",
        label_zh: "姓名",
        label_en: "Name",
        type: "text",
        required: false,
        options: "",
      },
    ]);
  });

  it("trims, splits options on lines and sends options only for a select", () => {
    const request = toFormRequest([
      {
        key: " channel ",
        label_zh: " 推广渠道 ",
        label_en: "Channel ",
        type: "select",
        required: true,
        options: " 微信 \n\n抖音\n  \n小红书",
      },
      // A select changed to text: its old choices are not sent.
      {
        ...emptyRow(),
        key: "about",
        label_zh: "简介",
        label_en: "About",
        type: "textarea",
        options: "x",
      },
    ]);
    expect(request).toEqual({
      fields: [
        {
          key: "channel",
          label_zh: "推广渠道",
          label_en: "Channel",
          type: "select",
          required: true,
          options: ["微信", "抖音", "小红书"],
        },
        {
          key: "about",
          label_zh: "简介",
          label_en: "About",
          type: "textarea",
          required: false,
          options: [],
        },
      ],
    });
  });

  it("round-trips a saved form", () => {
    const fields = [
      {
        key: "city",
        label_zh: "城市",
        label_en: "City",
        type: "select" as const,
        required: false,
        options: ["杭州", "上海"],
      },
      {
        key: "mobile",
        label_zh: "手机",
        label_en: "Mobile",
        type: "phone" as const,
        required: true,
        options: [],
      },
    ];
    expect(toFormRequest(toEditorRows(fields))).toEqual({ fields });
  });

  it("puts an option's error on the options box, naming the line", () => {
    const problem = {
      type: "urn:fenxiao:problem:validation_failed",
      title: "请求参数无效",
      status: 422,
      detail: "",
      code: "validation_failed",
      errors: [
        { field: "fields[2].options[1]", code: "duplicate_option", message: "该选项重复。" },
        { field: "fields[0].key", code: "invalid_key", message: "标识无效" },
      ],
    };
    expect(onEditorFields(problem)).toEqual({
      ...problem,
      errors: [
        { field: "fields[2].options", code: "duplicate_option", message: "#2: 该选项重复。" },
        { field: "fields[0].key", code: "invalid_key", message: "标识无效" },
      ],
    });
    expect(onEditorFields("network down")).toBe("network down");
  });
});
