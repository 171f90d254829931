{{/*
Object names are <fullname>-<component>, with fullname the release name unless overridden: the
docs and NOTES refer to `<release>-hub`, `<release>-kratos-public`, ..., which a chart-name
suffix would break. 40 characters leave room for the longest suffix (-kratos-courier) within
the 63 of a Service name.
*/}}
{{- define "ssohub.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "ssohub.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "ssohub.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "ssohub.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: ssohub
{{- end -}}

{{/* Selector labels of one component; called with (dict "root" $ "component" "hub"). */}}
{{- define "ssohub.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ssohub.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "ssohub.componentLabels" -}}
{{ include "ssohub.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "ssohub.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "ssohub.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* An image reference from {repository, tag, digest}; called with (dict "root" $ "image" ...). */}}
{{- define "ssohub.image" -}}
{{- $tag := default .root.Chart.AppVersion .image.tag -}}
{{- if .image.digest -}}
{{- printf "%s:%s@%s" .image.repository $tag .image.digest -}}
{{- else -}}
{{- printf "%s:%s" .image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* Where every pod that reads Kratos' site file finds it. The `.yml` extension matters: Kratos
picks the parser from it. */}}
{{- define "ssohub.kratosSiteDir" -}}/run/secrets/kratos{{- end -}}
{{- define "ssohub.kratosSitePath" -}}/run/secrets/kratos/site.yml{{- end -}}
{{- define "ssohub.hubSecretsDir" -}}/run/secrets/ssohub{{- end -}}

{{/* The site-file volume, the same in every pod that mounts it. */}}
{{- define "ssohub.kratosSiteVolume" -}}
- name: kratos-site
  secret:
    secretName: {{ required "kratos.siteConfigSecret: name the existing Secret holding Kratos' site file (key site.yml)" .Values.kratos.siteConfigSecret }}
    defaultMode: 0440
    items:
      - key: site.yml
        path: site.yml
{{- end -}}

{{/* Kratos' arguments after the command: base config baked into the image, then the site file. */}}
{{- define "ssohub.kratosConfigArgs" -}}
- -c
- /etc/kratos/kratos.yml
- -c
- {{ include "ssohub.kratosSitePath" . }}
{{- end -}}

{{- define "ssohub.kratosEnv" -}}
- name: SQA_OPT_OUT
  value: "true"
{{- with .Values.kratos.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Topology spread constraints with the component's own selector filled in. */}}
{{- define "ssohub.topologySpread" -}}
{{- $root := .root -}}
{{- $component := .component -}}
{{- range .constraints }}
- topologyKey: {{ .topologyKey }}
  maxSkew: {{ .maxSkew | default 1 }}
  whenUnsatisfiable: {{ .whenUnsatisfiable | default "ScheduleAnyway" }}
  labelSelector:
    matchLabels:
      {{- include "ssohub.selectorLabels" (dict "root" $root "component" $component) | nindent 6 }}
  matchLabelKeys:
    - pod-template-hash
{{- end }}
{{- end -}}

{{/* Refuses values that would render a hub the hub itself refuses to start with in production. */}}
{{- define "ssohub.validate" -}}
{{- $url := required "publicUrl is required (https://<the hub's host>)" .Values.publicUrl -}}
{{- if not (hasPrefix "https://" $url) -}}
{{- fail (printf "publicUrl must be an https:// URL in production (got %q)" $url) -}}
{{- end -}}
{{- if not .Values.allowedReturnOrigins -}}
{{- fail "allowedReturnOrigins needs at least one client app origin (https://app.example.com)" -}}
{{- end -}}
{{- if not .Values.hub.existingSecret -}}
{{- fail "hub.existingSecret: name the existing Secret with admin-token, cookie-keys, jwks.json and redis-url (README.md)" -}}
{{- end -}}
{{- end -}}
