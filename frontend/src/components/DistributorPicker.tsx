import { Select, Tag } from "antd";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import type { DistributorStatus } from "../api/types";
import { useDistributor, useDistributorSearch } from "../features/network/api";

/** How a distributor is named in the console: the member's name (or login) and the code. */
export function distributorLabel(d: {
  code: string;
  member?: { name?: string | null; phone?: string | null; email?: string | null };
  name?: string | null;
}): string {
  const who = d.member?.name ?? d.name ?? d.member?.phone ?? d.member?.email;
  return who ? `${who} · ${d.code}` : d.code;
}

export function StatusTag({ status }: { status: DistributorStatus }) {
  const { t } = useTranslation();
  const color = status === "active" ? "green" : status === "frozen" ? "blue" : "default";
  return <Tag color={color}>{t(`distributors.statuses.${status}`)}</Tag>;
}

/** Waits until typing pauses before searching. */
function useSettled(value: string, ms = 300): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/**
 * Picks a distributor of the merchant by searching the distributor list (code, phone or email
 * exactly, or part of a name) — a form control whose value is the distributor's id.
 */
export function DistributorPicker({
  value,
  onChange,
  exclude,
  status,
  placeholder,
  disabled,
  id,
  "aria-label": ariaLabel,
}: {
  value?: number | null;
  onChange?: (id: number | null) => void;
  /** A distributor not to offer (the one being moved). */
  exclude?: number;
  /** Only distributors in this state. */
  status?: DistributorStatus;
  placeholder?: string;
  disabled?: boolean;
  id?: string;
  "aria-label"?: string;
}) {
  const { t } = useTranslation();
  const [search, setSearch] = useState("");
  const q = useSettled(search.trim());
  const found = useDistributorSearch(q, status);
  // The chosen distributor may not be among the results: fetch it to name it.
  const chosen = useDistributor(value, {
    enabled: !(found.data ?? []).some((d) => d.id === value),
  });
  const options = [...(found.data ?? [])];
  if (chosen.data && !options.some((d) => d.id === chosen.data.id)) options.unshift(chosen.data);
  return (
    <Select<number>
      id={id}
      aria-label={ariaLabel}
      showSearch={{ filterOption: false, onSearch: setSearch }}
      allowClear
      disabled={disabled}
      placeholder={placeholder ?? t("distributors.pickPlaceholder")}
      value={value ?? undefined}
      onChange={(v) => onChange?.(v ?? null)}
      loading={found.isFetching}
      notFoundContent={found.isFetching ? t("distributors.searching") : t("distributors.noMatch")}
      options={options
        .filter((d) => d.id !== exclude)
        .map((d) => ({
          value: d.id,
          label: distributorLabel(d),
          disabled: d.status === "ended",
        }))}
      style={{ minWidth: 280 }}
    />
  );
}
