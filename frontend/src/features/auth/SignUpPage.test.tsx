import { fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, json, renderPage } from "../../test/render";
import { SignUpPage } from "./SignUpPage";

afterEach(() => vi.unstubAllGlobals());

function fill(label: string, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

function fillForm() {
  fill("公司名称", "杭州好物优选有限公司");
  fill("联系人", "王丽");
  fill("联系电话", "13812345678");
  fill("邮箱（登录账号）", "owner@example.com");
  fill("密码", "tea-garden-2026");
}

describe("SignUpPage", () => {
  it("shows the API's field errors next to the fields", async () => {
    const fake = fakeFetch({
      "POST /api/v1/signup": () =>
        json(
          {
            type: "urn:fenxiao:problem:validation_failed",
            title: "请求参数无效",
            status: 422,
            detail: "一个或多个字段无效，详见 errors。",
            code: "validation_failed",
            errors: [{ field: "password", code: "weak_password", message: "该密码过于常见。" }],
          },
          422,
          "application/problem+json",
        ),
    });
    vi.stubGlobal("fetch", fake.fetch);
    renderPage(<SignUpPage />, "/signup");
    fillForm();
    fireEvent.click(screen.getByRole("button", { name: "注 册" }));
    expect(await screen.findByText("该密码过于常见。")).toBeTruthy();
    const sent = (await fake.requests[0]?.json()) as Record<string, string>;
    expect(sent.email).toBe("owner@example.com");
  });

  it("shows a conflict as an alert and success as a result", async () => {
    let calls = 0;
    const fake = fakeFetch({
      "POST /api/v1/signup": () => {
        calls += 1;
        return calls === 1
          ? json(
              {
                type: "urn:fenxiao:problem:email_taken",
                title: "冲突",
                status: 409,
                detail: "该邮箱已注册，请直接登录或重置密码。",
                code: "email_taken",
                errors: [],
              },
              409,
              "application/problem+json",
            )
          : json(
              {
                merchant_id: 1,
                email: "owner@example.com",
                status: "pending_verification",
                verification_expires_at: "2026-11-28T12:00:00Z",
              },
              201,
            );
      },
    });
    vi.stubGlobal("fetch", fake.fetch);
    renderPage(<SignUpPage />, "/signup");
    fillForm();
    fireEvent.click(screen.getByRole("button", { name: "注 册" }));
    expect(await screen.findByText("该邮箱已注册，请直接登录或重置密码。")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "注 册" }));
    await waitFor(() => expect(screen.getByTestId("signup-success")).toBeTruthy());
  });
});
