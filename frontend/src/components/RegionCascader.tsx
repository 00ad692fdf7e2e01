import { Cascader } from "antd";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { type RegionPaths, regionOptions, useRegions } from "../api/regions";

/** Searches region names in every level of a path (省 or 市). */
const search = {
  filter: (input: string, path: { label?: unknown }[]) =>
    path.some((o) => String(o.label ?? "").includes(input.trim())),
};

/** Provinces and cities, several at once: a whole province or some of its cities. */
export function RegionsCascader({
  value,
  onChange,
  id,
  ...rest
}: {
  value?: RegionPaths;
  onChange?: (value: RegionPaths) => void;
  id?: string;
  "aria-label"?: string;
}) {
  const { t } = useTranslation();
  const regions = useRegions();
  const options = useMemo(() => regionOptions(regions.data ?? []), [regions.data]);
  return (
    <Cascader
      id={id}
      aria-label={rest["aria-label"]}
      multiple
      showSearch={search}
      showCheckedStrategy={Cascader.SHOW_PARENT}
      maxTagCount="responsive"
      loading={regions.isPending}
      options={options}
      placeholder={t("logistics.chooseRegions")}
      value={value}
      onChange={(paths) => onChange?.(paths.map((p) => p.map(String)))}
      style={{ width: "100%" }}
    />
  );
}

/** One province or city. */
export function RegionCascader({
  value,
  onChange,
  id,
}: {
  value?: string[];
  onChange?: (value: string[]) => void;
  id?: string;
}) {
  const { t } = useTranslation();
  const regions = useRegions();
  const options = useMemo(() => regionOptions(regions.data ?? []), [regions.data]);
  return (
    <Cascader
      id={id}
      changeOnSelect
      showSearch={search}
      loading={regions.isPending}
      options={options}
      placeholder={t("logistics.chooseRegion")}
      value={value}
      onChange={(path) => onChange?.((path ?? []).map(String))}
      style={{ width: "100%" }}
    />
  );
}
