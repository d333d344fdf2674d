// Which modules an experiment trains in full beside its adapters (lora.modulesToSave, PEFT's modules_to_save).
// "auto" is PEFT's SEQ_CLS default: the classification head, named `classifier` or `score`, for classification
// tasks, and nothing for a causal LM (its head is tied to or as large as the embedding).
import { ExperimentConfig } from '../experiment/experiment-config';
import { experimentIssue } from '../experiment/load-experiment';
import { indexGraph } from '../lora/graph-index';
import { ResolvedModule, findLinearModules } from '../lora/linear-modules';
import { SEQ_CLS_MODULES_TO_SAVE, matchesModulesToSave } from '../io/peft-adapter';
import { SavedParam, savedParamsOf } from '../lora/modules-to-save';
import { ModelProto } from '../onnx/types';
import { TaskHead } from './lora-training-graph';


/** The parameters (weight, bias) of every linear module the setting names, checked against the LoRA targets. */
export function experimentModulesToSave(cfg: ExperimentConfig, model: ModelProto, head: TaskHead, targets: readonly ResolvedModule[]): SavedParam[] {
  const setting = cfg.lora.modulesToSave;
  const auto = setting === 'auto';
  const entries = auto ? (head === 'sequence_classification' ? SEQ_CLS_MODULES_TO_SAVE : []) : setting;
  if (entries.length === 0) return [];
  const linear = findLinearModules(indexGraph(model.graph));
  const heads = linear.filter((m) => m.isOutputHead).map((m) => m.peftName);
  const matched = linear.filter((m) => entries.some((e) => matchesModulesToSave(m.peftName, e))).map((m) => m.peftName);
  if (auto && matched.length === 0) {
    throw experimentIssue(
      cfg.file,
      '/lora',
      `classification tasks train the classification head as PEFT does, but ${cfg.baseModel} has no linear module named ${SEQ_CLS_MODULES_TO_SAVE.join(' or ')} ` +
        `(output heads found: ${heads.join(', ') || 'none'}); set lora.modulesToSave to the head's module name, or to [] to keep it frozen`,
    );
  }
  if (!auto) {
    setting.forEach((entry, i) => {
      if (!linear.some((m) => matchesModulesToSave(m.peftName, entry))) {
        throw experimentIssue(cfg.file, `/lora/modulesToSave/${i}`, `"${entry}" matches no linear module of ${cfg.baseModel} (output heads: ${heads.join(', ') || 'none'}); name a module as PEFT does (e.g. "classifier")`);
      }
    });
  }
  const both = targets.find((t) => matched.includes(t.peftName));
  if (both) {
    throw experimentIssue(cfg.file, '/lora/modulesToSave', `module '${both.peftName}' is both a LoRA target and a module to save; PEFT trains a module one way or the other. Leave it out of lora.targets or of lora.modulesToSave`);
  }
  return savedParamsOf(model, matched, cfg.file);
}
