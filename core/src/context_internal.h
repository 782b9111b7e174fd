/* context_internal.h — the context's layout, shared by context.c and
 * autograd.c only. Not a public header. */
#ifndef SE3FLOW_CONTEXT_INTERNAL_H
#define SE3FLOW_CONTEXT_INTERNAL_H

#include "se3flow/autograd.h"

struct s3f_ctx {
    s3f_arena_t *arena;
    bool grad_enabled;
    s3f_tape_node *tape; /* heap array of `tape_capacity` nodes, `tape_size` used */
    int tape_size;
    int tape_capacity;
};

#endif
