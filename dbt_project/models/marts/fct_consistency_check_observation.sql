-- One row per figure a consistency finding used, with the role it played, so that findings join figures without
-- splitting strings.
with

evaluations as (
    select * from {{ ref('fct_consistency_check') }}
    where observation_ids is not null
),

figures as (
    select
        check_id,
        {{ split_lists([['observation_ids', 'observation_id'], ['observation_roles', 'role']]) }}
    from evaluations
),

final as (
    select
        check_id,
        observation_id,
        role
    from figures
)

select * from final
