import { useMutation, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App,
  Avatar,
  Button,
  Card,
  Flex,
  Form,
  Input,
  Result,
  Select,
  Space,
  Spin,
  Tabs,
  Typography,
} from "antd";
import type { TFunction } from "i18next";
import { type ReactNode, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useParams, useSearchParams } from "react-router";
import { isProblem, withCodeFields } from "../../api/problem";
import type { FormField, MyApplication, MyDistributor, PublicForm, Shop } from "../../api/types";
import { useProblemForm } from "../../api/useProblemForm";
import { LanguageSwitch } from "../../components/LanguageSwitch";
import { ProblemAlert } from "../../components/ProblemAlert";
import { currentLanguage } from "../../i18n";
import { clearMemberToken, loadMemberToken, saveMemberToken } from "../memberSession";
import {
  applyAsDistributor,
  joinKeys,
  recordVisit,
  registerMember,
  SignedOut,
  type Standing,
  sendVerificationCode,
  signInMember,
  useMember,
  usePublicApplicationForm,
  useShop,
  useStanding,
} from "./api";

/** Seconds before another verification code may be asked for (the server's limit). */
const RESEND_SECONDS = 60;

/**
 * The shopper's join page, where recruit links and their QR codes lead
 * (`/shop/{slug}/join?ref=CODE`): the shop, the invitation, sign-in or registration as a member
 * of the shop, then the merchant's application form and its outcome. Public: outside the
 * console, with its own member sign-in.
 */
export function JoinPage() {
  const { t } = useTranslation();
  const { slug = "" } = useParams();
  const [search] = useSearchParams();
  const code = search.get("ref")?.trim() || null;
  const shop = useShop(slug);

  return (
    <Flex vertical align="center" style={{ minHeight: "100vh", padding: "16px 12px 32px" }}>
      <Flex vertical gap={16} style={{ width: "100%", maxWidth: 480 }}>
        <Flex justify="flex-end">
          <LanguageSwitch />
        </Flex>
        {shop.isPending ? (
          <Spin />
        ) : shop.isError ? (
          <Alert type="error" showIcon message={t("join.loadFailed")} />
        ) : shop.data === null ? (
          <Result status="404" title={t("join.noShop")} />
        ) : (
          <>
            <ShopHeader shop={shop.data} code={code} />
            <JoinFlow shop={shop.data} code={code} />
          </>
        )}
      </Flex>
    </Flex>
  );
}

function ShopHeader({ shop, code }: { shop: Shop; code: string | null }) {
  const { t } = useTranslation();
  return (
    <Card>
      <Flex gap={12} align="center">
        <Avatar size={56} shape="square" src={shop.logo?.url}>
          {shop.name.slice(0, 1)}
        </Avatar>
        <div style={{ minWidth: 0 }}>
          <Typography.Title level={3} style={{ margin: 0 }} data-testid="join-shop-name">
            {shop.name}
          </Typography.Title>
          {shop.description && (
            <Typography.Paragraph type="secondary" style={{ margin: 0 }} ellipsis={{ rows: 2 }}>
              {shop.description}
            </Typography.Paragraph>
          )}
        </div>
      </Flex>
      <Typography.Paragraph style={{ margin: "12px 0 0" }} data-testid="join-invitation">
        {code ? t("join.invitedWith", { code }) : t("join.invitedByShop")}
      </Typography.Paragraph>
    </Card>
  );
}

/**
 * Sign-in, then the application; remembers the member token for this tab only, under the shop's
 * id, which stays when the merchant changes the shop's address.
 */
function JoinFlow({ shop, code }: { shop: Shop; code: string | null }) {
  const merchantId = shop.merchant_id;
  const [token, setToken] = useState(() => loadMemberToken(merchantId));
  // A visit is recorded for a member who signs in (or comes back signed in); registering
  // through the link binds by itself.
  const [visitDue, setVisitDue] = useState(token !== null);

  const signedIn = (accessToken: string, registered: boolean) => {
    saveMemberToken(merchantId, accessToken);
    setVisitDue(!registered);
    setToken(accessToken);
  };
  const signOut = () => {
    clearMemberToken(merchantId);
    setToken(null);
  };

  if (!token) return <MemberSignIn slug={shop.slug} code={code} onSignedIn={signedIn} />;
  return (
    <>
      {visitDue && code && (
        <RecordVisit slug={shop.slug} token={token} code={code} onExpired={signOut} />
      )}
      <Apply shop={shop} code={code} token={token} onSignOut={signOut} />
    </>
  );
}

/** Records the visit through the distributor's link once per sign-in; it only binds. */
function RecordVisit({
  slug,
  token,
  code,
  onExpired,
}: {
  slug: string;
  token: string;
  code: string;
  onExpired: () => void;
}) {
  const sent = useRef<string | null>(null);
  useEffect(() => {
    // Strict mode runs effects twice; the visit is one event.
    if (sent.current === token) return;
    sent.current = token;
    void recordVisit(slug, token, code).then((accepted) => {
      if (!accepted) onExpired();
    });
  }, [slug, token, code, onExpired]);
  return null;
}

interface RegisterValues {
  login: string;
  code: string;
  password: string;
  name?: string;
}

interface SignInValues {
  login: string;
  password: string;
}

function MemberSignIn({
  slug,
  code,
  onSignedIn,
}: {
  slug: string;
  code: string | null;
  onSignedIn: (accessToken: string, registered: boolean) => void;
}) {
  const { t } = useTranslation();
  const [tab, setTab] = useState("register");
  return (
    <Card title={t("join.signInTitle")}>
      <Typography.Paragraph type="secondary">{t("join.signInHelp")}</Typography.Paragraph>
      <Tabs
        activeKey={tab}
        onChange={setTab}
        items={[
          {
            key: "register",
            label: t("join.register"),
            children: (
              <RegisterForm
                slug={slug}
                code={code}
                onSignedIn={(token) => onSignedIn(token, true)}
                onSignInInstead={() => setTab("signIn")}
              />
            ),
          },
          {
            key: "signIn",
            label: t("join.signIn"),
            children: <SignInForm slug={slug} onSignedIn={(token) => onSignedIn(token, false)} />,
          },
        ]}
      />
    </Card>
  );
}

function RegisterForm({
  slug,
  code,
  onSignedIn,
  onSignInInstead,
}: {
  slug: string;
  code: string | null;
  onSignedIn: (accessToken: string) => void;
  onSignInInstead: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<RegisterValues>();
  const { problem, show, clear } = useProblemForm(
    form,
    ["login", "code", "password", "name", "recipient"],
    t("common.failed"),
  );
  const [waitUntil, setWaitUntil] = useState(0);
  const [now, setNow] = useState(() => Date.now());
  const waiting = waitUntil > now;
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [waiting]);

  const sendCode = useMutation({
    mutationFn: (recipient: string) => sendVerificationCode(slug, recipient),
    onMutate: clear,
    onSuccess: () => {
      setNow(Date.now());
      setWaitUntil(Date.now() + RESEND_SECONDS * 1000);
      message.success(t("join.codeSent"));
    },
    // The code request names the phone `recipient`; the form calls it `login`.
    onError: (error) =>
      show(
        isProblem(error)
          ? {
              ...error,
              errors: error.errors.map((e) =>
                e.field === "recipient" ? { ...e, field: "login" } : e,
              ),
            }
          : error,
      ),
  });

  const register = useMutation({
    mutationFn: (values: RegisterValues) =>
      registerMember(slug, {
        login: values.login,
        code: values.code,
        password: values.password,
        name: values.name?.trim() || null,
        distributor_code: code,
      }),
    onMutate: clear,
    onSuccess: onSignedIn,
    onError: (error) => show(withCodeFields(error, { login_taken: "login" })),
  });
  const taken = isProblem(register.error) && register.error.code === "login_taken";

  const askForCode = async () => {
    try {
      const { login } = await form.validateFields(["login"]);
      sendCode.mutate(login);
    } catch {
      // The phone field shows what is wrong with it.
    }
  };

  return (
    <Form form={form} layout="vertical" onFinish={(values) => register.mutate(values)}>
      <ProblemAlert problem={problem} />
      <Form.Item
        name="login"
        label={t("join.phone")}
        rules={[{ required: true, message: t("common.required") }]}
      >
        <Input type="tel" autoComplete="tel" inputMode="tel" />
      </Form.Item>
      <Form.Item label={t("join.code")} required>
        <Space.Compact style={{ width: "100%" }}>
          <Form.Item
            name="code"
            noStyle
            rules={[{ required: true, message: t("common.required") }]}
          >
            <Input
              aria-label={t("join.code")}
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
            />
          </Form.Item>
          <Button onClick={askForCode} loading={sendCode.isPending} disabled={waiting}>
            {waiting
              ? t("join.resendIn", { seconds: Math.ceil((waitUntil - now) / 1000) })
              : t("join.sendCode")}
          </Button>
        </Space.Compact>
      </Form.Item>
      <Form.Item
        name="password"
        label={t("join.password")}
        extra={t("join.passwordHelp")}
        rules={[{ required: true, message: t("common.required") }]}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      <Form.Item name="name" label={t("join.name")}>
        <Input autoComplete="name" maxLength={50} />
      </Form.Item>
      {taken && (
        <Button type="link" onClick={onSignInInstead} style={{ padding: 0, marginBottom: 16 }}>
          {t("join.signInInstead")}
        </Button>
      )}
      <Button type="primary" htmlType="submit" block loading={register.isPending}>
        {t("join.registerSubmit")}
      </Button>
    </Form>
  );
}

function SignInForm({
  slug,
  onSignedIn,
}: {
  slug: string;
  onSignedIn: (accessToken: string) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<SignInValues>();
  const { problem, show, clear } = useProblemForm(form, ["login", "password"], t("common.failed"));
  const signIn = useMutation({
    mutationFn: (values: SignInValues) => signInMember(slug, values),
    onMutate: clear,
    onSuccess: onSignedIn,
    onError: show,
  });
  return (
    <Form form={form} layout="vertical" onFinish={(values) => signIn.mutate(values)}>
      <ProblemAlert problem={problem} />
      <Form.Item
        name="login"
        label={t("join.phone")}
        rules={[{ required: true, message: t("common.required") }]}
      >
        <Input type="tel" autoComplete="username" inputMode="tel" />
      </Form.Item>
      <Form.Item
        name="password"
        label={t("join.password")}
        rules={[{ required: true, message: t("common.required") }]}
      >
        <Input.Password autoComplete="current-password" />
      </Form.Item>
      <Button type="primary" htmlType="submit" block loading={signIn.isPending}>
        {t("join.signInSubmit")}
      </Button>
    </Form>
  );
}

function Apply({
  shop,
  code,
  token,
  onSignOut,
}: {
  shop: Shop;
  code: string | null;
  token: string;
  onSignOut: () => void;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const standingKey = joinKeys.standing(shop.slug, token);
  const current = useStanding(shop.slug, token);
  const me = useMember(shop.slug, token);
  const form = usePublicApplicationForm(shop.slug);
  const [reapplying, setReapplying] = useState(false);
  const expired = current.error instanceof SignedOut;
  useEffect(() => {
    if (expired) onSignOut();
  }, [expired, onSignOut]);

  const who = me.data?.name || me.data?.phone || me.data?.email;
  let body: ReactNode;
  if (current.isPending || form.isPending) {
    body = <Spin />;
  } else if (current.isError || form.isError) {
    body = <Alert type="error" showIcon message={t("join.loadFailed")} />;
  } else if (current.data.kind === "distributor") {
    body = <AlreadyDistributor distributor={current.data.distributor} />;
  } else if (
    current.data.kind === "application" &&
    !(current.data.application.status === "rejected" && reapplying)
  ) {
    body = <Outcome application={current.data.application} onReapply={() => setReapplying(true)} />;
  } else {
    body = (
      <ApplicationForm
        slug={shop.slug}
        form={form.data}
        code={code}
        token={token}
        onDone={(application) => {
          setReapplying(false);
          const next: Standing = { kind: "application", application };
          queryClient.setQueryData(standingKey, next);
        }}
        onStale={() => void queryClient.invalidateQueries({ queryKey: standingKey })}
      />
    );
  }

  return (
    <Card
      title={t("join.applyTitle")}
      extra={
        <Space size={4} wrap>
          {who && (
            <Typography.Text type="secondary" data-testid="join-member">
              {who}
            </Typography.Text>
          )}
          <Button type="link" size="small" onClick={onSignOut}>
            {t("join.signOut")}
          </Button>
        </Space>
      }
    >
      {body}
    </Card>
  );
}

function AlreadyDistributor({ distributor }: { distributor: MyDistributor }) {
  const { t } = useTranslation();
  return (
    <Result
      data-testid="join-result"
      status="success"
      title={t("join.alreadyDistributor")}
      subTitle={t("join.yourCode", { code: distributor.code })}
    />
  );
}

function Outcome({
  application,
  onReapply,
}: {
  application: MyApplication;
  onReapply: () => void;
}) {
  const { t } = useTranslation();
  if (application.status === "approved") {
    return (
      <Result
        data-testid="join-result"
        status="success"
        title={t("join.approved")}
        subTitle={
          application.distributor_code
            ? t("join.yourCode", { code: application.distributor_code })
            : undefined
        }
      />
    );
  }
  if (application.status === "pending") {
    return (
      <Result
        data-testid="join-result"
        status="info"
        title={t("join.pending")}
        subTitle={t("join.pendingHelp")}
      />
    );
  }
  return (
    <Result
      data-testid="join-result"
      status="warning"
      title={t("join.rejected")}
      subTitle={
        application.reject_reason ? t("join.reason", { reason: application.reject_reason }) : null
      }
      extra={
        <Button type="primary" onClick={onReapply}>
          {t("join.reapply")}
        </Button>
      }
    />
  );
}

/** How members become distributors here, in a sentence above the form. */
function entryNote(form: PublicForm, t: TFunction): string {
  switch (form.entry_mode) {
    case "everyone":
      return t("join.entry.everyone");
    case "spend_threshold":
      return t("join.entry.spendThreshold", { amount: form.spend_threshold ?? "0" });
    default:
      return form.application_review === "auto" ? t("join.entry.auto") : t("join.entry.manual");
  }
}

function fieldLabel(field: FormField): string {
  return currentLanguage() === "en-US" ? field.label_en : field.label_zh;
}

function fieldInput(field: FormField) {
  switch (field.type) {
    case "select":
      return <Select options={(field.options ?? []).map((o) => ({ value: o, label: o }))} />;
    case "textarea":
      return <Input.TextArea rows={4} maxLength={2000} />;
    case "phone":
      return <Input type="tel" inputMode="tel" />;
    default:
      return <Input maxLength={200} />;
  }
}

function ApplicationForm({
  slug,
  form: publicForm,
  code,
  token,
  onDone,
  onStale,
}: {
  slug: string;
  form: PublicForm;
  code: string | null;
  token: string;
  onDone: (application: MyApplication) => void;
  onStale: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ answers?: Record<string, string | undefined> }>();
  const { problem, show, clear } = useProblemForm(
    form,
    publicForm.fields.map((f) => `answers.${f.key}`),
    t("common.failed"),
  );
  const apply = useMutation({
    mutationFn: (answers: Record<string, string>) => applyAsDistributor(slug, token, answers, code),
    onMutate: clear,
    onSuccess: onDone,
    onError: (error) => {
      // Decided elsewhere meanwhile (another tab, staff): show where the member stands.
      if (
        isProblem(error) &&
        (error.code === "already_distributor" || error.code === "application_pending")
      ) {
        onStale();
        return;
      }
      show(error);
    },
  });
  const submit = (values: { answers?: Record<string, string | undefined> }) => {
    const answers: Record<string, string> = {};
    for (const [key, value] of Object.entries(values.answers ?? {})) {
      if (value?.trim()) answers[key] = value.trim();
    }
    apply.mutate(answers);
  };
  return (
    <Form form={form} layout="vertical" onFinish={submit}>
      <Typography.Paragraph type="secondary" data-testid="join-entry-note">
        {entryNote(publicForm, t)}
      </Typography.Paragraph>
      <ProblemAlert problem={problem} />
      {publicForm.fields.map((field) => (
        <Form.Item
          key={field.key}
          name={["answers", field.key]}
          label={fieldLabel(field)}
          rules={field.required ? [{ required: true, message: t("common.required") }] : []}
        >
          {fieldInput(field)}
        </Form.Item>
      ))}
      <Button type="primary" htmlType="submit" block loading={apply.isPending}>
        {t("join.applySubmit")}
      </Button>
    </Form>
  );
}
