import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ChurnError, type ErrorCode } from '../../../src/errors.js';
import { loadTreeModel, sniffTreeModelFormat, treeModelFromBytes } from '../../../src/model/formats/load-tree-model.js';
import { treeModelContributions } from '../../../src/explain/tree-model-contributions.js';
import { treeModelMargins, treeModelPredictions } from '../../../src/model/tree-model-evaluator.js';
import { treeModelFixtures } from './tree-model-fixtures.js';

const text = (path: string) => readFileSync(join(treeModelFixtures, path), 'utf8');
const bytes = (path: string) => new Uint8Array(readFileSync(join(treeModelFixtures, path)));

function assertCode(make: () => unknown, code: ErrorCode, what: string): void {
  assert.throws(make, (e: unknown) => e instanceof ChurnError && e.code === code, what);
}

/** An XGBoost JSON fixture with `edit` applied to its parsed document. */
function xgboostEdited(edit: (d: { learner: Record<string, any> }) => void): Uint8Array {
  const document = JSON.parse(text('xgboost-2.1.4/binary-logistic-depth3.json'));
  edit(document);
  return new TextEncoder().encode(JSON.stringify(document));
}

const firstTree = (d: { learner: Record<string, any> }) => d.learner['gradient_booster'].model.trees[0];

describe('tree-model files that are not what they claim stop loading with a code naming the problem', () => {
  it('recognises each format by its bytes, whatever the file is called', () => {
    assert.equal(sniffTreeModelFormat(bytes('xgboost-3.2.0/categorical.json')), 'xgboost-json');
    assert.equal(sniffTreeModelFormat(bytes('xgboost-3.2.0/categorical.ubj')), 'xgboost-ubjson');
    assert.equal(sniffTreeModelFormat(bytes('xgboost-1.7.6/categorical.ubj')), 'xgboost-ubjson');
    assert.equal(sniffTreeModelFormat(bytes('lightgbm-4.6.0/multiclass.txt')), 'lightgbm-text');
    assert.equal(sniffTreeModelFormat(new TextEncoder().encode('{\n  "learner": {}\n}')), 'xgboost-json');
    assert.equal(sniffTreeModelFormat(new TextEncoder().encode('tree\r\nversion=v4\r\n')), 'lightgbm-text');
    assert.equal(sniffTreeModelFormat(new TextEncoder().encode('PK\u0003\u0004')), undefined);
  });

  it('ARTIFACT_UNSUPPORTED_FORMAT for bytes of no known format (XGBoost\'s deprecated binary format among them)', () => {
    assertCode(() => treeModelFromBytes('x.bin', new TextEncoder().encode('not a model')), 'ARTIFACT_UNSUPPORTED_FORMAT', 'text');
    assertCode(() => treeModelFromBytes('x.model', Uint8Array.of(0x62, 0x69, 0x6e, 0x66, 0, 0, 0, 0)), 'ARTIFACT_UNSUPPORTED_FORMAT', 'binf');
    assertCode(() => treeModelFromBytes('empty', new Uint8Array(0)), 'ARTIFACT_UNSUPPORTED_FORMAT', 'empty');
  });

  it('ARTIFACT_NOT_FOUND for a file that cannot be read', () => {
    assertCode(() => loadTreeModel(join(treeModelFixtures, 'absent.json')), 'ARTIFACT_NOT_FOUND', 'absent');
  });

  it('XGBoost: ARTIFACT_CORRUPT for truncated or malformed files and trees', () => {
    const json = bytes('xgboost-2.1.4/binary-logistic-depth3.json');
    const ubj = bytes('xgboost-2.1.4/binary-logistic-depth3.ubj');
    const cases: [string, Uint8Array][] = [
      ['truncated JSON', json.subarray(0, json.length >> 1)],
      ['truncated UBJSON', ubj.subarray(0, ubj.length >> 1)],
      ['UBJSON with bytes after the end', Uint8Array.from([...ubj, 0x5a])],
      ['not a model', new TextEncoder().encode('{"hello": 1}')],
      ['no trees', xgboostEdited((d) => { delete d.learner['gradient_booster'].model.trees; })],
      ['tree_info of another length', xgboostEdited((d) => { d.learner['gradient_booster'].model.tree_info.pop(); })],
      ['a tree in a group that does not exist', xgboostEdited((d) => { d.learner['gradient_booster'].model.tree_info[0] = 3; })],
      ['a cycle', xgboostEdited((d) => { firstTree(d).left_children[1] = 0; })],
      ['a child out of range', xgboostEdited((d) => { firstTree(d).right_children[0] = 999; })],
      ['a split on a column the model does not have', xgboostEdited((d) => { firstTree(d).split_indices[0] = 19; })],
      ['a node list shorter than num_nodes', xgboostEdited((d) => { firstTree(d).sum_hessian.pop(); })],
      ['a non-number in a node list', xgboostEdited((d) => { firstTree(d).split_conditions[0] = 'x'; })],
      ['a leaf without a finite value', xgboostEdited((d) => { firstTree(d).split_conditions[firstTree(d).left_children.indexOf(-1)] = 'NaN'; })],
      ['base_score that is not a number', xgboostEdited((d) => { d.learner['learner_model_param'].base_score = 'half'; })],
      ['base_score outside (0, 1) for a logistic objective', xgboostEdited((d) => { d.learner['learner_model_param'].base_score = '1.5'; })],
      ['base_score with one value per class for a binary model', xgboostEdited((d) => { d.learner['learner_model_param'].base_score = '[0.1,0.2]'; })],
      ['num_feature 0', xgboostEdited((d) => { d.learner['learner_model_param'].num_feature = '0'; })],
    ];
    for (const [what, file] of cases) assertCode(() => treeModelFromBytes('model', file), 'ARTIFACT_CORRUPT', what);
    const categorical = JSON.parse(text('xgboost-3.2.0/categorical.json'));
    const tree = categorical.learner.gradient_booster.model.trees.find((t: any) => t.categories.length > 0);
    tree.categories[0] = -1;
    assertCode(() => treeModelFromBytes('model', new TextEncoder().encode(JSON.stringify(categorical))), 'ARTIFACT_CORRUPT', 'a negative category');
    tree.categories_segments[0] = 10_000;
    assertCode(() => treeModelFromBytes('model', new TextEncoder().encode(JSON.stringify(categorical))), 'ARTIFACT_CORRUPT', 'categories out of range');
  });

  it('XGBoost: MODEL_UNSUPPORTED for objectives, boosters and trees that are not served', () => {
    const cases: [string, Uint8Array][] = [
      ...['rank:pairwise', 'survival:cox', 'binary:hinge', 'reg:somethingnew'].map((o): [string, Uint8Array] => [o, xgboostEdited((d) => { d.learner['objective'].name = o; })]),
      ['dart', xgboostEdited((d) => { d.learner['gradient_booster'].name = 'dart'; })],
      ['gblinear', xgboostEdited((d) => { d.learner['gradient_booster'].name = 'gblinear'; })],
      ['two targets', xgboostEdited((d) => { d.learner['learner_model_param'].num_target = '2'; })],
      ['vector leaves', xgboostEdited((d) => { firstTree(d).tree_param.size_leaf_vector = '3'; })],
    ];
    for (const [what, file] of cases) assertCode(() => treeModelFromBytes('model', file), 'MODEL_UNSUPPORTED', what);
  });

  it('LightGBM: ARTIFACT_CORRUPT for truncated or malformed text', () => {
    const model = text('lightgbm-4.6.0/binary-categorical.txt');
    const edit = (from: RegExp, to: string) => { const edited = model.replace(from, to); assert.notEqual(edited, model, String(from)); return edited; };
    const cases: [string, string][] = [
      ['truncated before "end of trees"', model.slice(0, model.indexOf('end of trees'))],
      ['a child out of range', edit(/^left_child=\S+/m, 'left_child=99')],
      ['a cycle', edit(/^right_child=\S+/m, 'right_child=0')],
      ['a list of the wrong length', edit(/^leaf_value=\S+ /m, 'leaf_value=')],
      ['a split on a column the model does not have', edit(/^split_feature=\S+/m, 'split_feature=40')],
      ['a missing list', edit(/^internal_count=.*$/m, '')],
      ['a category set that does not exist', edit(/^cat_boundaries=.*$/m, 'cat_boundaries=0')],
      ['a threshold that is not a number', edit(/^threshold=\S+/m, 'threshold=x')],
      ['pandas_categorical for other columns', edit(/^pandas_categorical:\[/m, 'pandas_categorical:[["a"], ')],
      ['pandas_categorical that is not JSON', edit(/^pandas_categorical:.*$/m, 'pandas_categorical:[[')],
      ['no max_feature_idx', edit(/^max_feature_idx=.*$/m, '')],
      ['classes that do not match the trees per iteration', text('lightgbm-4.6.0/multiclass.txt').replace(/^num_tree_per_iteration=3$/m, 'num_tree_per_iteration=2')],
    ];
    for (const [what, file] of cases) assertCode(() => treeModelFromBytes('model.txt', new TextEncoder().encode(file)), 'ARTIFACT_CORRUPT', what);
  });

  it('LightGBM: MODEL_UNSUPPORTED for objectives and trees that are not served', () => {
    const model = text('lightgbm-4.6.0/regression-sqrt.txt');
    const cases: [string, string][] = [
      ['lambdarank', model.replace(/^objective=.*$/m, 'objective=lambdarank')],
      ['rank_xendcg', model.replace(/^objective=.*$/m, 'objective=rank_xendcg')],
      ['custom', model.replace(/^objective=.*$/m, 'objective=custom')],
      ['an unknown objective', model.replace(/^objective=.*$/m, 'objective=somethingnew')],
      ['no objective line', model.replace(/^objective=.*$/m, '')],
      ['a linear tree', model.replace(/^is_linear=0$/m, 'is_linear=1')],
    ];
    for (const [what, file] of cases) assertCode(() => treeModelFromBytes('model.txt', new TextEncoder().encode(file)), 'MODEL_UNSUPPORTED', what);
  });
});

describe('variations a valid XGBoost file may have', () => {
  it('categorical splits without feature_types, and an empty category set, load and score as the file says', () => {
    const source = text('xgboost-3.2.0/categorical.json');
    const expected = JSON.parse(text('xgboost-3.2.0/categorical.expected.json')) as { rows: (number | null)[][]; margin: number[][] };
    const document = JSON.parse(source);
    delete document.learner.feature_types;
    const model = treeModelFromBytes('model.json', new TextEncoder().encode(JSON.stringify(document)));
    const x = Float64Array.from(expected.rows.flat(), (v) => v ?? NaN);
    const margins = treeModelMargins(model, x, expected.rows.length);
    expected.margin.forEach(([m], r) => assert.equal(margins[r], Math.fround(m!)));
    assert.ok(model.inputs.some((i) => i.categorical));
    // A split whose set is empty sends every valid code left (none is in the set).
    const tree = document.learner.gradient_booster.model.trees.find((t: any) => t.categories_sizes.length > 0);
    tree.categories_sizes[0] = 0;
    assert.doesNotThrow(() => treeModelFromBytes('model.json', new TextEncoder().encode(JSON.stringify(document))));
  });
});

describe('variations a valid LightGBM file may have', () => {
  it('a tree without splits (num_leaves=1, its lists empty) is its leaf value, contributing to the bias only', () => {
    // What LightGBM 4.6.0 saves when no split passes min_data_in_leaf; its predict() gives -0.01693935666233301.
    const model = treeModelFromBytes('constant.txt', new TextEncoder().encode([
      'tree', 'version=v4', 'num_class=1', 'num_tree_per_iteration=1', 'label_index=0', 'max_feature_idx=1',
      'objective=regression', 'feature_names=Column_0 Column_1', 'feature_infos=none none', 'tree_sizes=243', '',
      'Tree=0', 'num_leaves=1', 'num_cat=0', 'split_feature=', 'split_gain=', 'threshold=', 'decision_type=',
      'left_child=', 'right_child=', 'leaf_value=-0.016939356662333011', 'leaf_weight=', 'leaf_count=50',
      'internal_value=', 'internal_weight=', 'internal_count=', 'is_linear=0', 'shrinkage=1', '', '',
      'end of trees', '', 'feature_importances:', '', 'parameters:', '[boosting: gbdt]', 'end of parameters', '',
      'pandas_categorical:null', '',
    ].join('\n')));
    const x = Float64Array.of(0.3, NaN);
    assert.equal(treeModelPredictions(model, x, 1)[0], -0.01693935666233301);
    assert.deepEqual([...treeModelContributions(model, x, 1)], [0, 0, -0.01693935666233301]);
  });
});
