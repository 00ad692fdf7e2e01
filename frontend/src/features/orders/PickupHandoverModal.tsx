import { Alert, Button, Input, Modal, Space, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { OrderDetail } from "../../api/types";
import { usePickupHandover } from "./api";

/** Hands a self-pickup order over at the counter against the code the buyer shows. */
export function PickupHandoverModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const handover = usePickupHandover();
  const [code, setCode] = useState("");
  const [done, setDone] = useState<OrderDetail | null>(null);
  const failure = handover.error as { detail?: string; errors?: { message?: string }[] } | null;
  const close = () => {
    setCode("");
    setDone(null);
    handover.reset();
    onClose();
  };
  const submit = () => {
    if (code.trim()) handover.mutate(code, { onSuccess: setDone });
  };

  return (
    <Modal open={open} title={t("pickup.handOver")} onCancel={close} footer={null}>
      <Typography.Paragraph type="secondary">{t("pickup.codeHelp")}</Typography.Paragraph>
      <Space.Compact style={{ width: "100%" }}>
        <Input
          aria-label={t("pickup.code")}
          placeholder={t("pickup.code")}
          value={code}
          inputMode="numeric"
          maxLength={16}
          onChange={(e) => {
            setCode(e.target.value);
            setDone(null);
          }}
          onPressEnter={submit}
        />
        <Button
          type="primary"
          loading={handover.isPending}
          disabled={!code.trim()}
          onClick={submit}
        >
          {t("pickup.confirm")}
        </Button>
      </Space.Compact>
      {failure && !done && (
        <Alert
          type="error"
          showIcon
          role="alert"
          style={{ marginTop: 16 }}
          message={failure.errors?.[0]?.message ?? failure.detail ?? t("common.failed")}
        />
      )}
      {done && (
        <Alert
          type="success"
          showIcon
          role="status"
          style={{ marginTop: 16 }}
          message={t("pickup.done", { orderNo: done.order_no })}
          action={
            <Link to={`/orders/${done.id}`} onClick={close}>
              {t("pickup.open")}
            </Link>
          }
        />
      )}
    </Modal>
  );
}
