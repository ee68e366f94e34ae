import { CustomVariableSupport, type DataQueryRequest, type DataQueryResponse } from '@grafana/data';
import { from, map, type Observable } from 'rxjs';
import type { GhcprofDataSource } from './datasource';
import type { GhcprofVariableQuery } from './types';
import { VariableQueryEditor } from './ui/VariableQueryEditor';

/** Query variables: label names, or values of one label, among stored profiles matching a selector. */
export class GhcprofVariableSupport extends CustomVariableSupport<GhcprofDataSource, GhcprofVariableQuery> {
  editor = VariableQueryEditor;

  constructor(private readonly datasource: GhcprofDataSource) {
    super();
  }

  query(request: DataQueryRequest<GhcprofVariableQuery>): Observable<DataQueryResponse> {
    return from(this.datasource.metricFind(request.targets[0], request.scopedVars)).pipe(
      map((values) => ({ data: values }))
    );
  }
}
