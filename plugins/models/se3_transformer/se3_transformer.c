/* se3_transformer.c — the `se3_transformer` model plugin: NVIDIA's
 * SE(3)-Transformer (SPEC §11) with the reference's options, parameter names
 * and numerics, on the CPU.
 *
 * The dataset's node features are the degree-0 input fiber and its edge
 * features the radial networks' invariant inputs (with the edge length
 * appended). Outputs (`output`):
 *   scalar  SE3TransformerPooled: pooled degree-0 features → MLP → (B, T);
 *   vector  mean-pooled degree-1 features, T/3 channels → (B, T), rotating
 *           with the molecule;
 *   nodes   degree-0 features of every node → (N, T) (graph-to-graph). */
#include <stdlib.h>
#include <string.h>

#include "model.h"

typedef struct se3t_options {
    int64_t num_layers, num_degrees, num_channels, num_heads, channels_div, output_dim;
    bool norm, use_layer_norm, low_memory;
    const char *pooling, *fuse_level, *output, *dtype;
} se3t_options;

static const char *const k_pooling[] = {"max", "mean", NULL};
static const char *const k_fuse[] = {"auto", "full", "partial", "none", NULL};
static const char *const k_output[] = {"scalar", "vector", "nodes", NULL};
static const char *const k_dtype[] = {"f32", "f64", NULL};

static const s3f_option k_options[] = {
    S3F_OPT_INT("num_layers", se3t_options, num_layers, "7", 1, 64, "attention blocks"),
    S3F_OPT_INT("num_degrees", se3t_options, num_degrees, "4", 1, TFN_MAX_DEGREE + 1,
                "hidden degrees 0..num_degrees-1"),
    S3F_OPT_INT("num_channels", se3t_options, num_channels, "32", 1, 1024,
                "hidden channels per degree"),
    S3F_OPT_INT("num_heads", se3t_options, num_heads, "8", 1, 256, "attention heads"),
    S3F_OPT_INT("channels_div", se3t_options, channels_div, "2", 1, 256,
                "value/key channels = num_channels / channels_div"),
    S3F_OPT_BOOL("norm", se3t_options, norm, "true", "NormSE3 after each attention block"),
    S3F_OPT_BOOL("use_layer_norm", se3t_options, use_layer_norm, "true",
                 "layer norm inside the radial networks"),
    S3F_OPT_CHOICE("pooling", se3t_options, pooling, "max", k_pooling,
                   "graph pooling of the scalar output"),
    S3F_OPT_BOOL("low_memory", se3t_options, low_memory, "false",
                 "the reference's low-memory mode: pairwise convolutions (fuse_level none); "
                 "radial weights are recomputed in backward in every mode"),
    S3F_OPT_CHOICE("fuse_level", se3t_options, fuse_level, "auto", k_fuse,
                   "convolution fusion, which also decides parameter names (auto = full, as "
                   "A100/H100-trained reference checkpoints)"),
    S3F_OPT_CHOICE("output", se3t_options, output, "scalar", k_output,
                   "scalar: pooled + MLP; vector: pooled degree-1; nodes: per-node degree 0"),
    S3F_OPT_INT("output_dim", se3t_options, output_dim, "0", 0, 65536,
                "outputs per molecule (0: the dataset's target count)"),
    S3F_OPT_CHOICE("dtype", se3t_options, dtype, "f32", k_dtype, "parameter precision"),
    S3F_OPT_END,
};

typedef struct plugin_state {
    se3t_model *model;
    int vector_channels; /* output vector: degree-1 channels */
    bool nodes;          /* output nodes */
} plugin_state;

static fuse_level parse_fuse(const char *s)
{
    if (!strcmp(s, "none")) return FUSE_NONE;
    if (!strcmp(s, "partial")) return FUSE_PARTIAL;
    return FUSE_FULL;
}

static s3f_status config_from(const se3t_options *o, const s3f_dataset_desc *data, se3t_config *c,
                              plugin_state *st)
{
    int T = o->output_dim > 0 ? (int)o->output_dim : data->layout.targets;
    *c = (se3t_config){.num_layers = (int)o->num_layers,
                       .num_heads = (int)o->num_heads,
                       .channels_div = (int)o->channels_div,
                       .norm = o->norm,
                       .use_layer_norm = o->use_layer_norm,
                       .fuse = o->low_memory ? FUSE_NONE : parse_fuse(o->fuse_level),
                       .dtype = strcmp(o->dtype, "f64") ? S3F_F32 : S3F_F64};
    c->in.channels[0] = data->layout.node_features;
    c->edge.channels[0] = data->layout.edge_features;
    c->hidden = fiber_uniform((int)o->num_degrees, (int)o->num_channels);
    if (T < 1) return s3f_fail(S3F_ERR_ARG, "se3_transformer: the dataset has no targets");
    if (!strcmp(o->output, "vector")) {
        if (T % 3 || strcmp(o->pooling, "mean") || o->num_degrees < 2)
            return s3f_fail(S3F_ERR_ARG,
                            "se3_transformer: output vector needs a multiple of 3 "
                            "targets (got %d), pooling: mean and num_degrees >= 2",
                            T);
        st->vector_channels = T / 3;
        c->out.channels[1] = T / 3;
        c->pooling = SE3T_POOL_MEAN;
        c->return_type = 1;
    } else if (!strcmp(o->output, "nodes")) {
        st->nodes = true;
        c->out.channels[0] = T;
        c->return_type = -1;
    } else {
        c->out.channels[0] = (int)(o->num_degrees * o->num_channels);
        c->pooling = strcmp(o->pooling, "mean") ? SE3T_POOL_MAX : SE3T_POOL_MEAN;
        c->output_dim = T;
    }
    return S3F_OK;
}

static void plugin_destroy(void *state)
{
    plugin_state *st = state;
    if (!st) return;
    se3t_destroy(st->model);
    free(st);
}

static s3f_status plugin_create(const void *options, const s3f_dataset_desc *data,
                                s3f_device device, uint64_t seed, void **out)
{
    if (device != S3F_CPU)
        return s3f_fail(S3F_ERR_DEVICE, "se3_transformer: this build runs on the CPU only");
    plugin_state *st = calloc(1, sizeof *st);
    if (!st) return s3f_fail(S3F_ERR_NOMEM, "se3_transformer: out of memory");
    se3t_config cfg;
    s3f_status rc = config_from(options, data, &cfg, st);
    if (rc == S3F_OK) rc = se3t_create(&cfg, seed, &st->model);
    if (rc != S3F_OK) {
        plugin_destroy(st);
        return rc;
    }
    *out = st;
    return S3F_OK;
}

static s3f_params_t *plugin_params(void *state)
{
    return ((plugin_state *)state)->model->params;
}

static s3f_status plugin_forward(void *state, s3f_ctx_t *ctx, const s3f_graph_batch *b,
                                 s3f_tensor **pred)
{
    plugin_state *st = state;
    const se3t_model *m = st->model;
    se3t_input in;
    S3F_RETURN_IF_ERR(se3t_input_from_batch(m, ctx, b, &in));
    se3t_output out;
    S3F_RETURN_IF_ERR(se3t_forward(m, ctx, &in, &out));
    if (st->nodes)
        return s3f_reshape(ctx, out.nodes.d[0], S3F_SHAPE(b->num_nodes, m->cfg.out.channels[0]),
                           pred);
    if (st->vector_channels)
        return s3f_reshape(ctx, out.pooled, S3F_SHAPE(b->num_graphs, 3 * st->vector_channels),
                           pred);
    *pred = out.pred;
    return S3F_OK;
}

static const s3f_model_i k_functions = {.create = plugin_create,
                                        .params = plugin_params,
                                        .forward = plugin_forward,
                                        .destroy = plugin_destroy};

static const s3f_plugin_descriptor k_plugin = {
    .abi_version = S3F_PLUGIN_ABI_VERSION,
    .kind = S3F_PLUGIN_MODEL,
    .name = "se3_transformer",
    .version = "1.0.0",
    .summary = "SE(3)-Transformer (NVIDIA reference: layers, options, parameter names)",
    .options = k_options,
    .options_size = sizeof(se3t_options),
    .interface = &k_functions,
};

S3F_PLUGIN_EXPORT const s3f_plugin_descriptor *s3f_plugin_entry(void)
{
    return &k_plugin;
}
