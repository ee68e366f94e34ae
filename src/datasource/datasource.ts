import {
  DataSourceApi,
  type AdHocVariableFilter,
  type DataFrame,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceInstanceSettings,
  type MetricFindValue,
  type ScopedVars,
  type TestDataSourceResponse,
} from '@grafana/data';
import { getTemplateSrv, type TemplateSrv } from '@grafana/runtime';
import { from, type Observable } from 'rxjs';
import { DEFAULT_MAX_NODES, type ProfileMeta } from '@ghcprof/api/query';
import { buildQueryRequest, type TimeWindow } from './domain/buildRequest';
import { withAdHocFilters } from './domain/adHocFilters';
import { interpolateList, interpolateSelector, interpolateText } from './domain/interpolate';
import { framesFromJSON, linkProfileIdsToApp, withEmptyState } from './domain/mapResponse';
import { checkConnection } from './domain/checkConnection';
import { GhcprofApi, type ProfileListParams } from './infrastructure/GhcprofApi';
import type { GhcprofOptions, GhcprofQuery, GhcprofVariableQuery } from './types';
import { GhcprofVariableSupport } from './GhcprofVariableSupport';

export class GhcprofDataSource extends DataSourceApi<GhcprofQuery, GhcprofOptions> {
  readonly api: GhcprofApi;
  readonly splitLabel: string;
  readonly prometheusUrl: string | undefined;

  constructor(
    instanceSettings: DataSourceInstanceSettings<GhcprofOptions>,
    private readonly templateSrv: TemplateSrv = getTemplateSrv()
  ) {
    super(instanceSettings);
    this.api = new GhcprofApi(instanceSettings.url ?? '');
    this.splitLabel = instanceSettings.jsonData.splitLabel || 'pod';
    this.prometheusUrl = instanceSettings.jsonData.prometheusUrl || undefined;
    this.variables = new GhcprofVariableSupport(this);
    this.annotations = {
      prepareQuery: (annotation) => ({ ...annotation.target, refId: 'Anno', queryType: 'annotations' }) as GhcprofQuery,
      getDefaultQuery: () => ({ queryType: 'annotations', selector: '{service="$service"}' }),
    };
  }

  getDefaultQuery(): Partial<GhcprofQuery> {
    return { queryType: 'flamegraph', selector: '{}', metric: 'time', maxNodes: DEFAULT_MAX_NODES };
  }

  filterQuery(query: GhcprofQuery): boolean {
    return !query.hide;
  }

  /** Every free-text field of a query with template variables replaced (selectors matcher-aware). */
  applyTemplateVariables(
    query: GhcprofQuery,
    scopedVars: ScopedVars = {},
    filters?: AdHocVariableFilter[]
  ): GhcprofQuery {
    const text = (value: string | undefined) => interpolateText(value, this.templateSrv, scopedVars);
    const selector = (value: string) =>
      withAdHocFilters(interpolateSelector(value, this.templateSrv, scopedVars), filters);
    return {
      ...query,
      selector: selector(query.selector ?? ''),
      baselineSelector: query.baselineSelector && selector(query.baselineSelector),
      baselineVersion: text(query.baselineVersion),
      baselineShift: text(query.baselineShift),
      splitBy: text(query.splitBy || this.splitLabel),
      profileIds: interpolateList(query.profileIds, this.templateSrv, scopedVars),
      // a multi-value $benchmark becomes (a|b) with each name's regex characters escaped
      benchmark: query.benchmark && this.templateSrv.replace(query.benchmark, scopedVars, 'regex'),
    };
  }

  interpolateVariablesInQueries(
    queries: GhcprofQuery[],
    scopedVars: ScopedVars,
    filters?: AdHocVariableFilter[]
  ): GhcprofQuery[] {
    return queries.map((query) => this.applyTemplateVariables(query, scopedVars, filters));
  }

  query(request: DataQueryRequest<GhcprofQuery>): Observable<DataQueryResponse> {
    const window = { from: request.range.from.valueOf(), to: request.range.to.valueOf() };
    const targets = request.targets.filter((target) => this.filterQuery(target));
    return from(
      Promise.all(
        targets.map((target) =>
          this.run(target, request, window).then(
            (data) => ({ data }),
            (error: Error) => ({ data: [] as DataFrame[], error: { refId: target.refId, message: error.message } })
          )
        )
      ).then((answers) => {
        const errors = answers.flatMap((answer) => ('error' in answer ? [answer.error] : []));
        return { data: answers.flatMap((answer) => answer.data), errors: errors.length > 0 ? errors : undefined };
      })
    );
  }

  private run(target: GhcprofQuery, request: DataQueryRequest<GhcprofQuery>, window: TimeWindow): Promise<DataFrame[]> {
    // Interpolation can throw (a malformed selector with ad hoc filters): report it per query, like server errors.
    return Promise.resolve()
      .then(() => this.applyTemplateVariables(target, request.scopedVars, request.filters))
      .then((query) => this.runQuery(query, window, request.intervalMs, request.maxDataPoints));
  }

  /** One interpolated query against the server; pages call this directly for what they show. */
  async runQuery(
    query: GhcprofQuery,
    window: TimeWindow,
    stepMs?: number,
    maxDataPoints?: number
  ): Promise<DataFrame[]> {
    const request = buildQueryRequest(query, window, stepMs, maxDataPoints);
    const answer = await this.api.query(request.queryType, request.body);
    const frames = framesFromJSON(answer.frames, query.refId);
    if (request.queryType === 'profiles') {
      frames.forEach(linkProfileIdsToApp);
    }
    const baseline =
      request.queryType === 'diff' ? (request.body as { left: { selector?: string } }).left.selector : undefined;
    return withEmptyState(frames, request.queryType, query.selector, baseline, query.profileIds);
  }

  listProfiles(params: ProfileListParams): Promise<ProfileMeta[]> {
    return this.api.listProfiles({ ...params, selector: interpolateSelector(params.selector, this.templateSrv) });
  }

  /** Label names, or one label's values, among profiles matching `selector` (variables and autocomplete). */
  async metricFind(query: GhcprofVariableQuery, scopedVars: ScopedVars = {}): Promise<MetricFindValue[]> {
    const selector = interpolateSelector(query.selector, this.templateSrv, scopedVars) || undefined;
    const label = interpolateText(query.label, this.templateSrv, scopedVars);
    const names =
      query.kind === 'benchmarkNames'
        ? await this.api.benchmarkNames(selector)
        : query.kind === 'labelValues' && label
          ? await this.api.labelValues(label, selector)
          : await this.api.labelNames(selector);
    return names.map((text) => ({ text, value: text }));
  }

  /** Ad hoc filters use the same label API. */
  async getTagKeys(): Promise<MetricFindValue[]> {
    return this.metricFind({ refId: 'keys', kind: 'labelNames' });
  }

  async getTagValues(options: { key: string }): Promise<MetricFindValue[]> {
    return this.metricFind({ refId: 'values', kind: 'labelValues', label: options.key });
  }

  getQueryDisplayText(query: GhcprofQuery): string {
    return `${query.queryType ?? 'flamegraph'} ${query.selector ?? '{}'}`;
  }

  testDatasource(): Promise<TestDataSourceResponse> {
    return checkConnection(this.api);
  }
}
