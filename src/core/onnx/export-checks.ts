// Exports that load and run but cannot be trained as the user means, caught from the graph before anything
// runs. Today's case: transformers 5 models exported by the TorchScript exporter (dynamo=False) without a
// wrapper gain a `logits_to_keep` input and return logits for the last position only, [batch, vocab]: a causal
// LM needs every position's logits for its loss.
import { declaredLogits, inputIdsVocabulary } from './token-vocabulary';
import { ModelProto } from './types';

const keepInputs = /^(num_)?logits_to_keep$/;

/** A sentence saying the causal-LM export returns one position's logits and how to re-export; undefined when fine. */
export function singlePositionLogitsProblem(model: ModelProto): string | undefined {
  const initializers = new Set(model.graph.initializers.map((t) => t.name));
  const keepInput = model.graph.inputs.find((i) => keepInputs.test(i.name) && !initializers.has(i.name));
  const logits = declaredLogits(model);
  const vocab = inputIdsVocabulary(model);
  // [batch, vocab]: rank 2 with the embedding table's row count last (a classifier's classes are not that wide).
  const oneRowPerExample = logits?.dims?.length === 2 && vocab !== undefined && logits.dims[1] === vocab;
  if (!keepInput && !oneRowPerExample) return undefined;
  const evidence = keepInput ? `it has a '${keepInput.name}' input` : `its output '${logits!.name}' is ${logits!.shapeText}`;
  return (
    `the model returns logits for one position only (${evidence}), but causal-LM training needs the logits of every position, [batch, seq, vocab]. ` +
    `Re-export it with a wrapper whose forward returns model(input_ids, attention_mask=attention_mask, logits_to_keep=0).logits ` +
    `(logits_to_keep=0 keeps all positions), or import the Hugging Face folder with \`thanora import\``
  );
}
