import { useMutation, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Card,
  Form,
  Input,
  Select,
  Space,
  Spin,
  Tabs,
  Typography,
  Upload,
} from "antd";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { uploadImage } from "../../api/media";
import { isProblem, withCodeFields } from "../../api/problem";
import type { Media, MerchantView, ProfileRequest } from "../../api/types";
import { useProblemForm } from "../../api/useProblemForm";
import { ProblemAlert } from "../../components/ProblemAlert";
import { useAuth } from "../auth/AuthContext";
import { OrderSettingsPanel } from "../orders/OrderSettingsPanel";
import { PaymentMethodsPanel } from "../payments/PaymentMethodsPanel";
import { saveProfile, storeKeys, useMerchant } from "./api";

interface ProfileForm {
  name: string;
  description: string;
  slug: string;
  timezone: string;
  /** The chosen image; the request sends its id. */
  logo_media_id: Media | null;
}

const PROFILE_FIELDS = ["name", "description", "slug", "timezone", "logo_media_id"];
/** Problems without a field that are about one field of this form. */
const PROFILE_CODES = {
  slug_taken: "slug",
  unsupported_media_type: "logo_media_id",
  payload_too_large: "logo_media_id",
};

function timeZones(current: string): string[] {
  const zones =
    typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return zones.includes(current) ? zones : [current, ...zones];
}

/** Store settings: the profile the shop shows, and (for managers) the payment methods and the
 * order settings. */
export function StoreSettingsPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const merchant = useMerchant();
  const manage = can("merchant.manage");
  return (
    <>
      <Typography.Title level={2}>{t("store.title")}</Typography.Title>
      {merchant.isPending && <Spin />}
      {merchant.isError && <Alert type="error" showIcon message={t("common.failed")} />}
      {merchant.data && (
        <Tabs
          items={[
            {
              key: "profile",
              label: t("store.profile"),
              children: <ProfileCard merchant={merchant.data} editable={manage} />,
            },
            ...(manage
              ? [
                  {
                    key: "payments",
                    label: t("store.payments"),
                    children: <PaymentMethodsPanel />,
                  },
                  { key: "orders", label: t("orders.settings"), children: <OrderSettingsPanel /> },
                ]
              : []),
          ]}
        />
      )}
    </>
  );
}

function ProfileCard({ merchant, editable }: { merchant: MerchantView; editable: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<ProfileForm>();
  const problem = useProblemForm(form, PROFILE_FIELDS, t("common.failed"));
  const zones = useMemo(() => timeZones(merchant.timezone), [merchant.timezone]);

  // The server's 415 names the accepted types in English only; say it in the console's language.
  const uploadFailed = (error: unknown) =>
    problem.show(
      withCodeFields(
        isProblem(error) && error.code === "unsupported_media_type"
          ? { ...error, detail: t("store.notAnImage") }
          : error,
        PROFILE_CODES,
      ),
    );
  const uploading = () => {
    problem.clear();
    form.setFields([{ name: "logo_media_id", errors: [] }]);
  };

  const save = useMutation({
    mutationFn: (values: ProfileForm) => {
      const body: ProfileRequest = {
        name: values.name,
        description: values.description ?? "",
        slug: values.slug ?? "",
        timezone: values.timezone,
        logo_media_id: values.logo_media_id?.id ?? null,
      };
      return saveProfile(body);
    },
    onMutate: problem.clear,
    onError: (error: unknown) => problem.show(withCodeFields(error, PROFILE_CODES)),
    onSuccess: (saved) => {
      queryClient.setQueryData(storeKeys.merchant, saved);
      message.success(t("store.saved"));
    },
  });

  return (
    <Card>
      <ProblemAlert problem={problem.problem} testId="profile-error" />
      <Form<ProfileForm>
        name="profile"
        form={form}
        layout="vertical"
        disabled={!editable}
        style={{ maxWidth: 640 }}
        initialValues={{
          name: merchant.name,
          description: merchant.description,
          slug: merchant.slug,
          timezone: merchant.timezone,
          logo_media_id: merchant.logo ?? null,
        }}
        onFinish={(values) => save.mutate(values)}
      >
        <Form.Item
          label={t("store.name")}
          name="name"
          rules={[{ required: true, message: t("common.required") }]}
        >
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item label={t("store.logo")} name="logo_media_id">
          <LogoPicker onError={uploadFailed} onUploading={uploading} />
        </Form.Item>
        <Form.Item label={t("store.description")} name="description">
          <Input.TextArea rows={4} maxLength={2000} showCount />
        </Form.Item>
        <Form.Item
          label={t("store.slug")}
          name="slug"
          extra={t("store.slugHelp")}
          rules={[{ required: true, message: t("common.required") }]}
        >
          <Input addonBefore="/shop/" maxLength={40} />
        </Form.Item>
        <Form.Item label={t("store.timezone")} name="timezone">
          <Select showSearch options={zones.map((z) => ({ value: z, label: z }))} />
        </Form.Item>
        <Form.Item label={t("store.currency")} extra={t("store.currencyHelp")}>
          <Input value={merchant.currency} disabled />
        </Form.Item>
        {editable && (
          <Button type="primary" htmlType="submit" loading={save.isPending}>
            {t("common.save")}
          </Button>
        )}
      </Form>
    </Card>
  );
}

/** The logo as a form control: its value is the uploaded image, shown as a preview. */
function LogoPicker({
  value,
  onChange,
  onError,
  onUploading,
  disabled,
}: {
  value?: Media | null;
  onChange?: (media: Media | null) => void;
  onError: (error: unknown) => void;
  onUploading: () => void;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  const [uploading, setUploading] = useState(false);
  const upload = async (file: File) => {
    setUploading(true);
    onUploading();
    try {
      onChange?.(await uploadImage(file));
    } catch (error) {
      onError(error);
    } finally {
      setUploading(false);
    }
  };
  return (
    <Space align="start" size="large">
      <div
        data-testid="logo-preview"
        style={{
          width: 96,
          height: 96,
          border: "1px dashed #d9d9d9",
          borderRadius: 8,
          display: "flex",
          alignItems: "center",
          justifyContent: "center",
          overflow: "hidden",
        }}
      >
        {value ? (
          <img
            src={value.url}
            alt={t("store.logo")}
            style={{ maxWidth: "100%", maxHeight: "100%", objectFit: "contain" }}
          />
        ) : (
          <Typography.Text type="secondary">{t("store.noLogo")}</Typography.Text>
        )}
      </div>
      <Space orientation="vertical">
        <Upload
          accept="image/png,image/jpeg,image/gif,image/webp"
          showUploadList={false}
          disabled={disabled}
          beforeUpload={(file) => {
            void upload(file);
            return false;
          }}
        >
          <Button loading={uploading} disabled={disabled}>
            {value ? t("store.replaceLogo") : t("store.uploadLogo")}
          </Button>
        </Upload>
        {value && !disabled && (
          <Button type="link" danger style={{ paddingInline: 0 }} onClick={() => onChange?.(null)}>
            {t("store.removeLogo")}
          </Button>
        )}
        <Typography.Text type="secondary">{t("store.logoHelp")}</Typography.Text>
      </Space>
    </Space>
  );
}
